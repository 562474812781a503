package catalog

import "strings"

// pgSetting is one row of pg_settings.
type pgSetting struct {
	name, setting, unit, category, shortDesc, context, vartype, minVal, maxVal string
	enumvals                                                                   string // comma-separated
}

// settings are the settings quiver's sessions have (package dispatch's
// SET, SHOW and current_setting), with the values a session starts with,
// and PostgreSQL 15's description of each (its unit, category, context,
// type and range, as pg_settings shows them). Settings PostgreSQL hides
// from pg_settings (is_superuser, session_authorization) are left out.
var settings = []pgSetting{
	{"DateStyle", "ISO, MDY", "", "Client Connection Defaults / Locale and Formatting", "Sets the display format for date and time values.", "user", "string", "", "", ""},
	{"IntervalStyle", "postgres", "", "Client Connection Defaults / Locale and Formatting", "Sets the display format for interval values.", "user", "enum", "", "", "postgres,postgres_verbose,sql_standard,iso_8601"},
	{"TimeZone", "UTC", "", "Client Connection Defaults / Locale and Formatting", "Sets the time zone for displaying and interpreting time stamps.", "user", "string", "", "", ""},
	{"application_name", "", "", "Reporting and Logging / What to Log", "Sets the application name to be reported in statistics and logs.", "user", "string", "", "", ""},
	{"block_size", "8192", "", "Preset Options", "Shows the size of a disk block.", "internal", "integer", "8192", "8192", ""},
	{"bytea_output", "hex", "", "Client Connection Defaults / Statement Behavior", "Sets the output format for bytea.", "user", "enum", "", "", "escape,hex"},
	{"check_function_bodies", "on", "", "Client Connection Defaults / Statement Behavior", "Check routine bodies during CREATE FUNCTION and CREATE PROCEDURE.", "user", "bool", "", "", ""},
	{"client_encoding", "UTF8", "", "Client Connection Defaults / Locale and Formatting", "Sets the client's character set encoding.", "user", "string", "", "", ""},
	{"client_min_messages", "notice", "", "Client Connection Defaults / Statement Behavior", "Sets the message levels that are sent to the client.", "user", "enum", "", "", "debug5,debug4,debug3,debug2,debug1,log,notice,warning,error"},
	{"default_table_access_method", "heap", "", "Client Connection Defaults / Statement Behavior", "Sets the default table access method for new tables.", "user", "string", "", "", ""},
	{"default_tablespace", "", "", "Client Connection Defaults / Statement Behavior", "Sets the default tablespace to create tables and indexes in.", "user", "string", "", "", ""},
	{"default_transaction_isolation", "read committed", "", "Client Connection Defaults / Statement Behavior", "Sets the transaction isolation level of each new transaction.", "user", "enum", "", "", "serializable,repeatable read,read committed,read uncommitted"},
	{"default_transaction_read_only", "off", "", "Client Connection Defaults / Statement Behavior", "Sets the default read-only status of new transactions.", "user", "bool", "", "", ""},
	{"escape_string_warning", "on", "", "Version and Platform Compatibility / Previous PostgreSQL Versions", "Warn about backslash escapes in ordinary string literals.", "user", "bool", "", "", ""},
	{"extra_float_digits", "1", "", "Client Connection Defaults / Locale and Formatting", "Sets the number of digits displayed for floating-point values.", "user", "integer", "-15", "3", ""},
	{"idle_in_transaction_session_timeout", "0", "ms", "Client Connection Defaults / Statement Behavior", "Sets the maximum allowed idle time between queries, when in a transaction.", "user", "integer", "0", "2147483647", ""},
	{"idle_session_timeout", "0", "ms", "Client Connection Defaults / Statement Behavior", "Sets the maximum allowed idle time between queries, when not in a transaction.", "user", "integer", "0", "2147483647", ""},
	{"in_hot_standby", "off", "", "Preset Options", "Shows whether hot standby is currently active.", "internal", "bool", "", "", ""},
	{"integer_datetimes", "on", "", "Preset Options", "Shows whether datetimes are integer based.", "internal", "bool", "", "", ""},
	{"jit", "off", "", "Query Tuning / Other Planner Options", "Allow JIT compilation.", "user", "bool", "", "", ""},
	{"lc_collate", "C", "", "Preset Options", "Shows the collation order locale.", "internal", "string", "", "", ""},
	{"lc_ctype", "C", "", "Preset Options", "Shows the character classification and case conversion locale.", "internal", "string", "", "", ""},
	{"lc_messages", "C", "", "Client Connection Defaults / Locale and Formatting", "Sets the language in which messages are displayed.", "superuser", "string", "", "", ""},
	{"lc_monetary", "C", "", "Client Connection Defaults / Locale and Formatting", "Sets the locale for formatting monetary amounts.", "user", "string", "", "", ""},
	{"lc_numeric", "C", "", "Client Connection Defaults / Locale and Formatting", "Sets the locale for formatting numbers.", "user", "string", "", "", ""},
	{"lc_time", "C", "", "Client Connection Defaults / Locale and Formatting", "Sets the locale for formatting date and time values.", "user", "string", "", "", ""},
	{"lock_timeout", "0", "ms", "Client Connection Defaults / Statement Behavior", "Sets the maximum allowed duration of any wait for a lock.", "user", "integer", "0", "2147483647", ""},
	{"max_connections", "100", "", "Connections and Authentication / Connection Settings", "Sets the maximum number of concurrent connections.", "postmaster", "integer", "1", "262143", ""},
	{"max_identifier_length", "63", "", "Preset Options", "Shows the maximum identifier length.", "internal", "integer", "63", "63", ""},
	{"max_index_keys", "32", "", "Preset Options", "Shows the maximum number of index keys.", "internal", "integer", "32", "32", ""},
	{"row_security", "on", "", "Client Connection Defaults / Statement Behavior", "Enable row security.", "user", "bool", "", "", ""},
	{"search_path", `"$user", public`, "", "Client Connection Defaults / Statement Behavior", "Sets the schema search order for names that are not schema-qualified.", "user", "string", "", "", ""},
	{"server_encoding", "UTF8", "", "Preset Options", "Shows the server (database) character set encoding.", "internal", "string", "", "", ""},
	{"server_version", serverVersion, "", "Preset Options", "Shows the server version.", "internal", "string", "", "", ""},
	{"server_version_num", "150000", "", "Preset Options", "Shows the server version as an integer.", "internal", "integer", "150000", "150000", ""},
	{"standard_conforming_strings", "on", "", "Version and Platform Compatibility / Previous PostgreSQL Versions", "Causes '...' strings to treat backslashes literally.", "user", "bool", "", "", ""},
	{"statement_timeout", "0", "ms", "Client Connection Defaults / Statement Behavior", "Sets the maximum allowed duration of any statement.", "user", "integer", "0", "2147483647", ""},
	{"synchronous_commit", "on", "", "Write-Ahead Log / Settings", "Sets the current transaction's synchronization level.", "user", "enum", "", "", "local,remote_write,remote_apply,on,off"},
	{"timezone_abbreviations", "Default", "", "Client Connection Defaults / Locale and Formatting", "Selects a file of time zone abbreviations.", "user", "string", "", "", ""},
	{"transaction_isolation", "read committed", "", "Client Connection Defaults / Statement Behavior", "Sets the current transaction's isolation level.", "user", "enum", "", "", "serializable,repeatable read,read committed,read uncommitted"},
	{"transaction_read_only", "off", "", "Client Connection Defaults / Statement Behavior", "Sets the current transaction's read-only status.", "user", "bool", "", "", ""},
	{"work_mem", "4096", "kB", "Resource Usage / Memory", "Sets the maximum memory to be used for query workspaces.", "user", "integer", "64", "2147483647", ""},
	{"xmloption", "content", "", "Client Connection Defaults / Statement Behavior", "Sets whether XML data in implicit parsing and serialization operations is to be considered as documents or content fragments.", "user", "enum", "", "", "content,document"},
}

// settingSQL is a setting's value in a new session: the application name
// the client connected with, the default for the others.
const settingSQL = `(CASE WHEN s.name = 'application_name' THEN coalesce((getvariable('quiver_session'))[4], '')
  ELSE s.setting END)`

// pgSettingsSQL is pg_settings: each setting with the value a session
// starts with. A session's SET is not shown here; SHOW and
// current_setting show it.
func pgSettingsSQL() string {
	var b strings.Builder
	b.WriteString(`SELECT s.name, ` + settingSQL + ` AS setting, nullif(s.unit, '') AS unit, s.category, s.short_desc,
  NULL::varchar AS extra_desc, s.context, s.vartype, 'default' AS source, nullif(s.min_val, '') AS min_val,
  nullif(s.max_val, '') AS max_val,
  (CASE WHEN s.enumvals <> '' THEN string_split(s.enumvals, ',') END) AS enumvals, s.setting AS boot_val,
  ` + settingSQL + ` AS reset_val, NULL::varchar AS sourcefile, NULL::integer AS sourceline, false AS pending_restart
FROM (VALUES `)
	for i, s := range settings {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + strings.Join([]string{quote(s.name), quote(s.setting), quote(s.unit), quote(s.category),
			quote(s.shortDesc), quote(s.context), quote(s.vartype), quote(s.minVal), quote(s.maxVal), quote(s.enumvals)}, ", ") + ")")
	}
	b.WriteString(`) AS s(name, setting, unit, category, short_desc, context, vartype, min_val, max_val, enumvals)`)
	return b.String()
}
