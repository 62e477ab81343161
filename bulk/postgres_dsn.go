package bulk

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
)

// redactedValue replaces a secret in a DSN; redactedDSN replaces a whole
// DSN whose secrets cannot be told apart from the rest.
const (
	redactedValue = "xxxxx"
	redactedDSN   = "[redacted]"
)

// secretParams are the connection parameters of pgx (v5.12) that carry a
// secret. Its other file parameters (sslkey, sslcert, sslrootcert,
// passfile, servicefile) name files; pgx reads no key inline.
var secretParams = map[string]bool{"password": true, "sslpassword": true}

// keywordRE finds a libpq keyword followed by "=" at the start of a word:
// what tells a key/value DSN ("host=db password=...") from a SQLite path.
var keywordRE = regexp.MustCompile(`(?:^|[ \t\n\r\v\f])(?:host|hostaddr|port|dbname|user|password|passfile|sslmode|sslpassword|sslkey|sslcert|sslrootcert|service|servicefile|connect_timeout|target_session_attrs|application_name|search_path)[ \t\n\r\v\f]*=`)

// isPostgresDSN reports whether dsn names a Postgres database: a
// postgres:// or postgresql:// URL (or anything starting "postgres:",
// which pgx then refuses), or a key/value connection string.
func isPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres:") || strings.HasPrefix(dsn, "postgresql:") || keywordRE.MatchString(dsn)
}

// RedactDSN returns dsn fit to print: every password (a URL's user:pw@,
// and the password and sslpassword parameters in a URL's query or a
// key/value string, quoted or not) replaced by "xxxxx", the rest as it
// was. A Postgres DSN that cannot be parsed, where a secret could hide
// anywhere, is replaced whole by "[redacted]" (after its scheme, for a
// URL). A SQLite DSN (a path or file: URI) is returned as it is: it holds
// no secret.
func RedactDSN(dsn string) string {
	if !isPostgresDSN(dsn) {
		return dsn
	}
	out, _, err := parseDSNSecrets(dsn)
	if err != nil {
		if i := strings.Index(dsn, "://"); i > 0 && strings.HasPrefix(dsn, "postgres") {
			return dsn[:i+3] + redactedDSN
		}
		return redactedDSN
	}
	return out
}

var errUnparseable = errors.New("unparseable connection string")

// parseDSNSecrets returns a Postgres dsn redacted, with the secret values
// it holds (as written and decoded), or an error when its structure is
// ambiguous.
func parseDSNSecrets(dsn string) (redacted string, secrets []string, err error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return redactURL(dsn)
	}
	if strings.HasPrefix(dsn, "postgres:") || strings.HasPrefix(dsn, "postgresql:") {
		return "", nil, errUnparseable
	}
	return redactKeywordValue(dsn)
}

func redactURL(dsn string) (string, []string, error) {
	u, err := url.Parse(dsn)
	// A fragment is no part of a connection URL: a '#' there is most
	// likely inside an unescaped password. Two '@' before the path are
	// read differently by net/url (the last ends the userinfo) and pgx (the
	// first does).
	if err != nil || u.Opaque != "" || strings.Contains(dsn, "#") || strings.Count(authority(dsn), "@") > 1 {
		return "", nil, errUnparseable
	}
	var secrets []string
	if pw, ok := u.User.Password(); ok {
		secrets = append(secrets, pw)
		if raw := rawUserPassword(dsn); raw != "" {
			secrets = append(secrets, raw)
		}
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, part := range parts {
			rawKey, rawValue, ok := strings.Cut(part, "=")
			if !ok {
				continue
			}
			key, err := url.QueryUnescape(rawKey)
			if err != nil {
				return "", nil, errUnparseable
			}
			if !secretParams[key] {
				continue
			}
			value, err := url.QueryUnescape(rawValue)
			if err != nil {
				return "", nil, errUnparseable
			}
			secrets = append(secrets, value, rawValue)
			parts[i] = rawKey + "=" + redactedValue
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	return u.Redacted(), secrets, nil
}

// authority is the part of a URL between "//" and its path or query.
func authority(dsn string) string {
	rest := dsn[strings.Index(dsn, "://")+3:]
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// rawUserPassword is the password of a URL's userinfo as written.
func rawUserPassword(dsn string) string {
	rest := authority(dsn)
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return ""
	}
	_, pw, _ := strings.Cut(rest[:at], ":")
	return pw
}

// redactKeywordValue walks a key/value DSN as pgx's parser does
// (parseKeywordValueSettings): keyword, optional space, '=', optional
// space, then a value quoted in '...' or running to the next space, with
// backslash escapes in both.
func redactKeywordValue(dsn string) (string, []string, error) {
	if strings.IndexByte(dsn, 0) >= 0 {
		return "", nil, errUnparseable
	}
	const space = " \t\n\r\v\f"
	var b strings.Builder
	var secrets []string
	i := 0
	skip := func() {
		for i < len(dsn) && strings.IndexByte(space, dsn[i]) >= 0 {
			i++
		}
	}
	for {
		start := i
		skip()
		if i == len(dsn) {
			b.WriteString(dsn[start:])
			return b.String(), secrets, nil
		}
		eq := strings.IndexByte(dsn[i:], '=')
		if eq < 0 {
			return "", nil, errUnparseable
		}
		key := strings.TrimRight(dsn[i:i+eq], space)
		if key == "" || strings.ContainsAny(key, space) {
			return "", nil, errUnparseable
		}
		i += eq + 1
		skip()
		valueStart := i
		var value strings.Builder
		if i < len(dsn) && dsn[i] == '\'' {
			i++
			for ; i < len(dsn) && dsn[i] != '\''; i++ {
				if dsn[i] == '\\' {
					i++
					if i == len(dsn) {
						return "", nil, errUnparseable
					}
				}
				value.WriteByte(dsn[i])
			}
			if i == len(dsn) {
				return "", nil, errUnparseable
			}
			i++
		} else {
			for ; i < len(dsn) && strings.IndexByte(space, dsn[i]) < 0; i++ {
				if dsn[i] == '\\' {
					i++
					if i == len(dsn) {
						break
					}
				}
				value.WriteByte(dsn[i])
			}
		}
		b.WriteString(dsn[start:valueStart])
		if secretParams[key] {
			secrets = append(secrets, value.String(), dsn[valueStart:i])
			b.WriteString(redactedValue)
		} else {
			b.WriteString(dsn[valueStart:i])
		}
	}
}

// ambiguousDSNError refuses a DSN whose secrets RedactDSN cannot tell
// apart: pgx may still read one (postgres://u:p@ss@host as the password
// "p" at the host "ss@host"), and its errors would then print the rest of
// the password as a host name.
func ambiguousDSNError(dsn string) error {
	return errors.New("bulk: postgres: cannot parse the connection string " + RedactDSN(dsn) +
		" (in a URL, percent-encode the password's : @ / ? # & = characters; in key/value form, quote a value with spaces as 'value')")
}

// postgresParseError is the error of a DSN pgx could not parse, without
// any secret: pgx's own message only masks passwords on a best-effort
// basis, so it is kept only when the DSN's structure is clear enough to
// remove every secret from it, and never wrapped.
func postgresParseError(dsn string, err error) error {
	redacted, secrets, perr := parseDSNSecrets(dsn)
	if perr != nil {
		return ambiguousDSNError(dsn)
	}
	msg := err.Error()
	// pgx's message repeats the DSN: "cannot parse `dsn`: reason".
	if rest, ok := strings.CutPrefix(msg, "cannot parse `"); ok {
		if _, reason, ok := strings.Cut(rest, "`: "); ok {
			msg = reason
		}
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
			msg = strings.ReplaceAll(msg, form, redactedValue)
		}
	}
	return errors.New("bulk: postgres: cannot parse " + redacted + ": " + msg)
}
