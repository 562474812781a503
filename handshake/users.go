package handshake

import (
	"bufio"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/xdg-go/scram"
)

// DefaultSCRAMIterations is the PBKDF2 iteration count of the SCRAM
// verifiers made for plain passwords, PostgreSQL's scram_iterations default.
const DefaultSCRAMIterations = 4096

// Users holds users and their stored secrets, as pg_authid holds rolpassword:
// a SCRAM-SHA-256 verifier, an MD5 hash, or both. Plain passwords are turned
// into secrets when read and not kept. A Users is read-only once made and
// safe for concurrent use.
type Users struct {
	secrets map[string]*secret
	// mockKey salts the made-up SCRAM credentials of unknown users, so that
	// the same unknown user always gets the same salt, as PostgreSQL's
	// scram_mock_salt does, and nothing tells it apart from a known one.
	mockKey []byte
}

// secret is one user's stored password.
type secret struct {
	scram *scram.StoredCredentials // nil without a SCRAM verifier
	md5   string                   // "md5" and 32 hex digits, or ""
}

// ReadUsers reads a users file: one "name:password" per line, where password
// is a plain password, a PostgreSQL SCRAM-SHA-256 verifier
// ("SCRAM-SHA-256$4096:salt$StoredKey:ServerKey", as pg_authid.rolpassword
// holds it) or a PostgreSQL MD5 hash ("md5" and 32 hex digits). Blank lines
// and lines starting with '#' are skipped. A plain password is replaced, as
// it is read, by a SCRAM verifier with a random salt and an MD5 hash, so that
// every method can check it. Errors name the line but never its password.
func ReadUsers(r io.Reader) (*Users, error) {
	u := &Users{secrets: make(map[string]*secret), mockKey: make([]byte, 32)}
	if _, err := rand.Read(u.mockKey); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(strings.TrimSpace(text), "#") {
			continue
		}
		name, pw, ok := strings.Cut(text, ":")
		if !ok || name == "" {
			return nil, fmt.Errorf("users file line %d: want name:password", line)
		}
		if _, dup := u.secrets[name]; dup {
			return nil, fmt.Errorf("users file line %d: user %q listed twice", line, name)
		}
		s, err := newSecret(name, pw)
		if err != nil {
			return nil, fmt.Errorf("users file line %d (user %q): %w", line, name, err)
		}
		u.secrets[name] = s
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return u, nil
}

// LoadUsers reads the users file at path (see ReadUsers).
func LoadUsers(path string) (*Users, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadUsers(f)
}

// Len returns the number of users.
func (u *Users) Len() int { return len(u.secrets) }

func newSecret(user, pw string) (*secret, error) {
	switch {
	case strings.HasPrefix(pw, "SCRAM-SHA-256$"):
		c, err := parseSCRAMVerifier(pw)
		if err != nil {
			return nil, err
		}
		return &secret{scram: c}, nil
	case isMD5Hash(pw):
		return &secret{md5: strings.ToLower(pw)}, nil
	case pw == "":
		return nil, fmt.Errorf("empty password")
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	c, err := scramCredentials(user, pw, scram.KeyFactors{Salt: string(salt), Iters: DefaultSCRAMIterations})
	if err != nil {
		return nil, err
	}
	return &secret{scram: &c, md5: md5Hash(pw, user)}, nil
}

// SCRAMVerifier returns the PostgreSQL SCRAM-SHA-256 verifier of password
// with a random salt and DefaultSCRAMIterations, for writing users files.
func SCRAMVerifier(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	c, err := scramCredentials("", password, scram.KeyFactors{Salt: string(salt), Iters: DefaultSCRAMIterations})
	if err != nil {
		return "", err
	}
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", c.Iters, b64(salt), b64(c.StoredKey), b64(c.ServerKey)), nil
}

// parseSCRAMVerifier decodes "SCRAM-SHA-256$iter:salt$StoredKey:ServerKey".
func parseSCRAMVerifier(v string) (*scram.StoredCredentials, error) {
	bad := fmt.Errorf("malformed SCRAM-SHA-256 verifier")
	parts := strings.Split(strings.TrimPrefix(v, "SCRAM-SHA-256$"), "$")
	if len(parts) != 2 {
		return nil, bad
	}
	iterText, saltText, ok := strings.Cut(parts[0], ":")
	if !ok {
		return nil, bad
	}
	storedText, serverText, ok := strings.Cut(parts[1], ":")
	if !ok {
		return nil, bad
	}
	iters, err := strconv.Atoi(iterText)
	if err != nil || iters < 1 {
		return nil, bad
	}
	dec := base64.StdEncoding.DecodeString
	salt, err1 := dec(saltText)
	stored, err2 := dec(storedText)
	server, err3 := dec(serverText)
	if err1 != nil || err2 != nil || err3 != nil || len(salt) == 0 ||
		len(stored) != sha256.Size || len(server) != sha256.Size {
		return nil, bad
	}
	return &scram.StoredCredentials{
		KeyFactors: scram.KeyFactors{Salt: string(salt), Iters: iters},
		StoredKey:  stored,
		ServerKey:  server,
	}, nil
}

// scramCredentials derives SCRAM-SHA-256 credentials from a password with
// the library's PBKDF2 and SASLprep (a password SASLprep refuses is used as
// it is, as PostgreSQL does).
func scramCredentials(user, pw string, kf scram.KeyFactors) (scram.StoredCredentials, error) {
	c, err := scram.SHA256.NewClient(user, pw, "")
	if err != nil {
		c, err = scram.SHA256.NewClientUnprepped(user, pw, "")
		if err != nil {
			return scram.StoredCredentials{}, err
		}
	}
	return c.GetStoredCredentialsWithError(kf)
}

func isMD5Hash(s string) bool {
	if len(s) != 35 || !strings.HasPrefix(s, "md5") {
		return false
	}
	_, err := hex.DecodeString(s[3:])
	return err == nil
}

// md5Hash is PostgreSQL's stored MD5 password: "md5" and the hex MD5 of the
// password followed by the user name.
func md5Hash(pw, user string) string {
	sum := md5.Sum([]byte(pw + user))
	return "md5" + hex.EncodeToString(sum[:])
}

// md5Response is what a client answers to AuthenticationMD5Password for a
// stored hash ("md5" + hex): "md5" and the hex MD5 of the hash's hex digits
// followed by the salt.
func md5Response(stored string, salt [4]byte) string {
	sum := md5.Sum(append([]byte(stored[3:]), salt[:]...))
	return "md5" + hex.EncodeToString(sum[:])
}

// lookup returns user's secret, or nil for an unknown user.
func (u *Users) lookup(user string) *secret {
	if u == nil {
		return nil
	}
	return u.secrets[user]
}

// mockCredentials returns SCRAM credentials no password matches, with a
// salt that depends only on user and this Users, for an unknown user.
func (u *Users) mockCredentials(user string) *scram.StoredCredentials {
	mac := hmac.New(sha256.New, u.mockKey)
	mac.Write([]byte(user))
	sum := mac.Sum(nil)
	stored := make([]byte, sha256.Size)
	server := make([]byte, sha256.Size)
	_, _ = rand.Read(stored)
	_, _ = rand.Read(server)
	return &scram.StoredCredentials{
		KeyFactors: scram.KeyFactors{Salt: string(sum[:16]), Iters: DefaultSCRAMIterations},
		StoredKey:  stored,
		ServerKey:  server,
	}
}

// Check reports whether pw is user's password, checking it against
// the stored secret in constant time. An unknown user costs the same
// PBKDF2 as a known one and fails.
func (u *Users) Check(user, pw string) bool {
	s := u.lookup(user)
	switch {
	case s != nil && s.scram != nil:
		c, err := scramCredentials(user, pw, s.scram.KeyFactors)
		return err == nil && subtle.ConstantTimeCompare(c.StoredKey, s.scram.StoredKey) == 1
	case s != nil && s.md5 != "":
		return subtle.ConstantTimeCompare([]byte(md5Hash(pw, user)), []byte(s.md5)) == 1
	}
	mock := u.mockCredentials(user)
	c, _ := scramCredentials(user, pw, mock.KeyFactors)
	_ = subtle.ConstantTimeCompare(c.StoredKey, mock.StoredKey)
	return false
}
