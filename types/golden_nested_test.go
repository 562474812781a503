package types

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/quiverdb/quiver/backends"
)

func addNested(add addFunc, cs *[]goldenCase) {
	listOf := arrow.ListOf
	add("int4_array", "array[1,2,NULL]::int4[]", listOf(i32), "[1,2,null]")
	add("int4_array_empty", "'{}'::int4[]", listOf(i32), "[]")
	add("int4_array_null", "NULL::int4[]", listOf(i32), "null")
	add("int4_array_all_null", "array[NULL,NULL]::int4[]", listOf(i32), "[null,null]")
	add("int8_array", "array[-9223372036854775808, 9223372036854775807]::int8[]", listOf(i64), "[-9223372036854775808, 9223372036854775807]")
	add("int2_array", "array[1,-1]::int2[]", listOf(arrow.PrimitiveTypes.Int16), "[1,-1]")
	add("bool_array", "array[true,false,NULL]", listOf(arrow.FixedWidthTypes.Boolean), "[true,false,null]")
	add("text_array_quoting",
		`array['a', '', 'NULL', 'null', 'Null ', 'a b', 'a,b', 'a"b', 'a\b', '{x}', E'tab\there', E'nl\n', 'é', NULL, 'NULLx', ' ']::text[]`,
		listOf(utf8Type), `["a", "", "NULL", "null", "Null ", "a b", "a,b", "a\"b", "a\\b", "{x}", "tab\there", "nl\n", "é", null, "NULLx", " "]`)
	add("text_array_parens", `array['(1,2)', 'x;y']::text[]`, listOf(utf8Type), `["(1,2)", "x;y"]`)
	add("varchar_array_meta", `array['a','b c']::varchar[]`, listOf(utf8Type), `["a","b c"]`).Meta = meta(backends.MetaPGType, "1015")
	add("float8_array", "array['NaN', 'Infinity', '-Infinity', '0.1', '1e100', '-0']::float8[]", listOf(f64), `["NaN", "Inf", "-Inf", 0.1, 1e100, "-0"]`)
	add("float4_array", "array[1.5, 1e10]::float4[]", listOf(f32), `[1.5, 1e10]`)
	add("numeric_array_typmod", "array[1.5, -2.25, 0]::numeric(10,2)[]", listOf(&arrow.Decimal128Type{Precision: 10, Scale: 2}), `["1.5", "-2.25", "0"]`)
	add("uint64_array", "array[18446744073709551615, 0]::numeric[]", listOf(arrow.PrimitiveTypes.Uint64), `[18446744073709551615, 0]`)
	add("bytea_array", `array['\x0102'::bytea, '\x'::bytea, NULL]`, listOf(arrow.BinaryTypes.Binary), `["AQI=", "", null]`)
	add("date_array", "array['2000-01-01', '0044-03-15 BC']::date[]", listOf(arrow.FixedWidthTypes.Date32), "["+num(days(2000, 1, 1))+","+num(days(-43, 3, 15))+"]")
	add("timestamp_array", "array['2000-01-01 00:00:00', '1970-01-01 00:00:00.5']::timestamp[]", listOf(tsUS), "["+num(micros(2000, 1, 1, 0, 0, 0, 0))+","+num(500000)+"]")
	add("timestamptz_array", "array['2021-11-07 05:59:59+00', '2021-11-07 06:00:00+00']::timestamptz[]", listOf(tsUSUTC),
		"["+num(micros(2021, 11, 7, 5, 59, 59, 0))+","+num(micros(2021, 11, 7, 6, 0, 0, 0))+"]")
	add("time_array", "array['12:00:00']::time[]", listOf(arrow.FixedWidthTypes.Time64us), "["+num(12*3600e6)+"]")
	add("interval_array", "array['1 year 2 mons', '-00:00:01']::interval[]", listOf(mdn),
		`[{"months":14,"days":0,"nanoseconds":0},{"months":0,"days":0,"nanoseconds":-1000000000}]`)
	add("uuid_array", "array['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', NULL]::uuid[]", listOf(extensions.NewUUIDType()), `["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", null]`)
	jsonType, _ := extensions.NewJSONType(utf8Type)
	add("json_array", `array['{"a": [1, 2]}', 'null']::json[]`, listOf(jsonType), `["{\"a\": [1, 2]}", "null"]`)
	add("jsonb_array_meta", `array['{"a": [1, 2]}', '"x y"']::jsonb[]`, listOf(utf8Type), `["{\"a\": [1, 2]}", "\"x y\""]`).Meta = meta(backends.MetaPGType, "3807")

	// Multidimensional arrays.
	ll := listOf(listOf(i32))
	add("int4_2d", "array[[1,2],[3,4]]::int4[]", ll, "[[1,2],[3,4]]")
	add("int4_2d_nulls", "array[[1,NULL],[NULL,4]]::int4[]", ll, "[[1,null],[null,4]]")
	add("int4_3d", "array[[[1],[2]],[[3],[4]],[[5],[6]]]::int4[]", listOf(ll), "[[[1],[2]],[[3],[4]],[[5],[6]]]")
	add("int4_2d_all_empty", "array[array[]::int4[], array[]::int4[]]", ll, "[[],[]]").NoDecode = true
	add("int4_2d_null_rows", "array[NULL::int4[], NULL::int4[]]", ll, "[null,null]").NoDecode = true
	add("int4_2d_ragged", "array[array[1],array[1,2]]", ll, "[[1],[1,2]]")
	add("int4_2d_null_row", "array[array[1],NULL]", ll, "[[1],null]")
	add("text_2d", `array[['a b','{'],['"',NULL]]::text[]`, listOf(listOf(utf8Type)), `[["a b","{"],["\"",null]]`)
	add("large_list", "array[1,2]::int8[]", arrow.LargeListOf(i64), "[1,2]")
	add("fixed_size_list", "array[1.5,2.5]::float8[]", arrow.FixedSizeListOf(2, f64), "[1.5,2.5]")
	add("list_view", "array[3,NULL]::int4[]", arrow.ListViewOf(i32), "[3,null]")
	add("large_list_view", "array['x']::text[]", arrow.LargeListViewOf(utf8Type), `["x"]`)

	// Records.
	st := arrow.StructOf(
		arrow.Field{Name: "a", Type: i32, Nullable: true},
		arrow.Field{Name: "b", Type: utf8Type, Nullable: true},
		arrow.Field{Name: "c", Type: i32, Nullable: true})
	add("record", "row(1, 'abc'::text, NULL::int4)", st, `{"a":1,"b":"abc","c":null}`).NoDecode = true
	add("record_null", "NULL::record", st, `null`).NoDecode = true
	quoting := arrow.StructOf(
		arrow.Field{Name: "a", Type: utf8Type, Nullable: true},
		arrow.Field{Name: "b", Type: utf8Type, Nullable: true},
		arrow.Field{Name: "c", Type: utf8Type, Nullable: true},
		arrow.Field{Name: "d", Type: utf8Type, Nullable: true},
		arrow.Field{Name: "e", Type: utf8Type, Nullable: true},
		arrow.Field{Name: "f", Type: utf8Type, Nullable: true},
		arrow.Field{Name: "g", Type: utf8Type, Nullable: true},
		arrow.Field{Name: "h", Type: utf8Type, Nullable: true})
	add("record_quoting", `row('a b'::text, ''::text, '"x'::text, 'a\b'::text, '(p)'::text, 'a,b'::text, '{}'::text, 'NULL'::text)`, quoting,
		`{"a":"a b","b":"","c":"\"x","d":"a\\b","e":"(p)","f":"a,b","g":"{}","h":"NULL"}`).NoDecode = true
	inner := arrow.StructOf(arrow.Field{Name: "x", Type: i32, Nullable: true}, arrow.Field{Name: "y", Type: i32, Nullable: true})
	nested := arrow.StructOf(arrow.Field{Name: "r", Type: inner, Nullable: true}, arrow.Field{Name: "s", Type: utf8Type, Nullable: true},
		arrow.Field{Name: "l", Type: listOf(i32), Nullable: true})
	add("record_nested", "row(row(1,2), 'x'::text, array[1,2]::int4[])", nested, `{"r":{"x":1,"y":2},"s":"x","l":[1,2]}`).NoDecode = true
	add("record_array", "array[row(1,'a b'::text), NULL, row(NULL::int4, NULL::text)]",
		listOf(arrow.StructOf(arrow.Field{Name: "a", Type: i32, Nullable: true}, arrow.Field{Name: "b", Type: utf8Type, Nullable: true})),
		`[{"a":1,"b":"a b"}, null, {"a":null,"b":null}]`).NoDecode = true
	add("record_timestamptz", "row('2021-11-07 06:00:00+00'::timestamptz, '\\x00'::bytea)",
		arrow.StructOf(arrow.Field{Name: "t", Type: tsUSUTC, Nullable: true}, arrow.Field{Name: "b", Type: arrow.BinaryTypes.Binary, Nullable: true}),
		`{"t":`+num(micros(2021, 11, 7, 6, 0, 0, 0))+`,"b":"AA=="}`).NoDecode = true
	add("map", "array[row('a'::text, 1::int4), row('b c'::text, NULL::int4)]", arrow.MapOf(utf8Type, i32),
		`[{"key":"a","value":1},{"key":"b c","value":null}]`).NoDecode = true

	// Encodings.
	*cs = append(*cs, goldenCase{Name: "dictionary", NoDecode: true, SQL: "'dict value'::text", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: utf8Type},
		Build: func(mem memory.Allocator) arrow.Array {
			b := array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: utf8Type}).(*array.BinaryDictionaryBuilder)
			defer b.Release()
			if err := b.AppendString("dict value"); err != nil {
				panic(err)
			}
			return b.NewArray()
		}})
	*cs = append(*cs, goldenCase{Name: "dictionary_array", NoDecode: true, SQL: "array['a','b','a']::text[]", Type: listOf(utf8Type),
		Build: func(mem memory.Allocator) arrow.Array {
			dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: utf8Type}
			b := array.NewListBuilderWithField(mem, arrow.Field{Name: "item", Type: dt, Nullable: true})
			defer b.Release()
			vb := b.ValueBuilder().(*array.BinaryDictionaryBuilder)
			b.Append(true)
			for _, s := range []string{"a", "b", "a"} {
				if err := vb.AppendString(s); err != nil {
					panic(err)
				}
			}
			return b.NewArray()
		}})
	*cs = append(*cs, goldenCase{Name: "run_end_encoded", NoDecode: true, SQL: "42::int8", Type: arrow.RunEndEncodedOf(i32, i64),
		Build: func(mem memory.Allocator) arrow.Array {
			b := array.NewRunEndEncodedBuilder(mem, i32, i64)
			defer b.Release()
			b.Append(1)
			b.ValueBuilder().(*array.Int64Builder).Append(42)
			return b.NewArray()
		}})
}
