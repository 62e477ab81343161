package bulk

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river/riverdriver/riversqlite"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go

	"github.com/restrictkit/restrict"
)

func init() {
	databases = append(databases, database{
		claims:     func(dsn string) bool { return !isPostgresDSN(dsn) },
		check:      checkSQLiteDSN,
		open:       openSQLiteDSN,
		openReader: openSQLiteReader,
	})
}

// sqliteStore is the store of a SQLite database: one file, one writer.
type sqliteStore struct {
	*riverDB[*sql.Tx, *riversqlite.Driver]
	sqliteSQL
	db *sql.DB
}

func newSQLiteStore(db *sql.DB, cfg Config) (*sqliteStore, error) {
	s := &sqliteStore{db: db}
	r, err := newRiverDB(riversqlite.New(db), func(ctx context.Context) (*sql.Tx, tx, error) {
		t, err := db.BeginTx(ctx, nil)
		if err != nil {
			return nil, nil, err
		}
		return t, sqlTx{t}, nil
	}, cfg, sqliteSQL{}, 1)
	if err != nil {
		return nil, err
	}
	s.riverDB = r
	return s, nil
}

func (s *sqliteStore) sqlDB() *sql.DB { return s.db }

// migrateAttempts bounds how often a SQLite migration that raced another
// process's is tried again.
const migrateAttempts = 10

func (s *sqliteStore) migrate(ctx context.Context, cfg Config) error {
	if cfg.SkipMigrations {
		return s.checkMigrated(ctx, cfg, "the SQLite database", func(ctx context.Context, t execer) (map[[2]string]bool, error) {
			return keys(ctx, t, `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
				WHERE m.type = 'table' AND m.name LIKE 'restrict_bulk%'`)
		})
	}
	for attempt := 1; ; attempt++ {
		err := s.migrateRiver(ctx, cfg)
		if err == nil {
			break
		}
		// SQLite has no advisory lock: a process that opens the file
		// while another is creating the tables (a "restrict runs" beside a
		// starting "restrict run") finds a table its migration wanted to
		// create. Each migration is a transaction of its own, so nothing
		// was half done; once the other process is through, migrating
		// again finds every version applied.
		if attempt == migrateAttempts || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
		}
	}
	return s.inTx(ctx, func(t execer) error {
		// SQLite has no time type; a column declared TIMESTAMP is read
		// back as a time.Time by modernc.org/sqlite.
		return migrateJournal(ctx, t, s, "TIMESTAMP", func(table, column string) (bool, error) {
			got, err := keys(ctx, t, `SELECT name, type FROM pragma_table_info(?) WHERE name = ?`, table, column)
			return len(got) > 0, err
		})
	})
}

// sqliteSQL is SQLite's form of the journal's statements.
type sqliteSQL struct{}

func (sqliteSQL) bind(q string) string { return strings.ReplaceAll(q, "{p}", "") }

// sqliteChunk is how many rows one statement binds: 1,000 rows of up to 18
// columns stay below SQLite's limit of 32,766 bound parameters.
const sqliteChunk = 1000

func (q sqliteSQL) insertPending(ctx context.Context, tx execer, run string, action restrict.Op, rows []pendingRow) (map[[2]string]bool, error) {
	created := make(map[[2]string]bool, len(rows))
	for chunk := range slices.Chunk(rows, sqliteChunk) {
		var b strings.Builder
		b.WriteString(`INSERT INTO restrict_bulk_outcome (run, subject, provider, target, action) VALUES `)
		args := make([]any, 0, len(chunk)*5)
		for i, r := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?,?,?,?,?)")
			args = append(args, run, r.subject, r.provider, r.target, string(action))
		}
		b.WriteString(` ON CONFLICT (run, subject, provider) DO NOTHING RETURNING subject, provider`)
		got, err := keys(ctx, tx, b.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("bulk: journal: %w", err)
		}
		for k := range got {
			created[k] = true
		}
	}
	return created, nil
}

// finish writes the batch as one VALUES list: one statement to parse.
func (q sqliteSQL) finish(ctx context.Context, tx execer, jobs []JobArgs, recs []record) error {
	var b strings.Builder
	b.WriteString(finishInsert + `VALUES `)
	args := make([]any, 0, len(jobs)*18)
	for i, a := range jobs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
		r := recs[i]
		args = append(args, a.Run, a.Subject, a.Provider, a.Target, string(a.Op),
			string(r.result), r.state, r.providerAction, r.class, r.code, r.message,
			r.httpStatus, r.httpAttempts, r.jobAttempt, r.requestID, r.started.UTC(), r.finished.UTC(), 1)
	}
	b.WriteString(finishUpsert)
	_, err := tx.exec(ctx, q.bind(b.String()), args...)
	return err
}

// completeJobs binds the IDs as one JSON array, so that the statement has
// one text whatever the batch's size. finalized_at is in the one format
// River's SQLite driver compares times in.
func (sqliteSQL) completeJobs(ctx context.Context, tx execer, ids []int64, now time.Time) (int64, error) {
	list, err := json.Marshal(ids)
	if err != nil {
		return 0, err
	}
	return tx.exec(ctx, `UPDATE river_job SET state = 'completed', finalized_at = ?
		WHERE id IN (SELECT value FROM json_each(?)) AND state = 'running'`,
		now.UTC().Round(time.Millisecond).Format("2006-01-02 15:04:05.000"), string(list))
}

func (q sqliteSQL) storedTargets(ctx context.Context, tx execer, run string, keys []string) (map[string]map[string]string, error) {
	out, add := targetsScanner()
	for chunk := range slices.Chunk(keys, sqliteChunk) {
		args := make([]any, 0, len(chunk)+1)
		args = append(args, run)
		for _, k := range chunk {
			args = append(args, k)
		}
		s := `SELECT subject, provider, target FROM restrict_bulk_outcome WHERE run = ? AND subject IN (?` + strings.Repeat(",?", len(chunk)-1) + `)`
		if err := tx.query(ctx, s, args, add); err != nil {
			return nil, fmt.Errorf("bulk: journal: %w", err)
		}
	}
	return out, nil
}

// lockRun takes no lock: SQLite's one writer, taken at BEGIN IMMEDIATE,
// already makes submissions take turns.
func (sqliteSQL) lockRun(context.Context, execer, string) error { return nil }

// createSubmitted drops a table a failed submission may have left on this
// connection: SQLite has no ON COMMIT DROP.
func (sqliteSQL) createSubmitted(ctx context.Context, tx execer) error {
	if _, err := tx.exec(ctx, `DROP TABLE IF EXISTS temp.restrict_bulk_submitted`); err != nil {
		return fmt.Errorf("bulk: journal: %w", err)
	}
	if _, err := tx.exec(ctx, `CREATE TEMP TABLE restrict_bulk_submitted (subject TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("bulk: journal: %w", err)
	}
	return nil
}

func (sqliteSQL) addSubmitted(ctx context.Context, tx execer, keys []string) error {
	for chunk := range slices.Chunk(keys, sqliteChunk) {
		args := make([]any, len(chunk))
		for i, k := range chunk {
			args[i] = k
		}
		if _, err := tx.exec(ctx, `INSERT OR IGNORE INTO temp.restrict_bulk_submitted (subject) VALUES (?)`+strings.Repeat(",(?)", len(chunk)-1), args...); err != nil {
			return fmt.Errorf("bulk: journal: %w", err)
		}
	}
	return nil
}

func (sqliteSQL) dropSubmitted(ctx context.Context, tx execer) error {
	if _, err := tx.exec(ctx, `DROP TABLE temp.restrict_bulk_submitted`); err != nil {
		return fmt.Errorf("bulk: journal: %w", err)
	}
	return nil
}

// analyze does nothing: SQLite's planner keeps no statistics unless asked
// (ANALYZE), and without them it takes the primary key for the journal's
// pages.
func (sqliteSQL) analyze(context.Context, execer) error { return nil }

func (*sqliteStore) manyWorkers() bool { return false }

// leaseSlots is never called: one process works a SQLite database, and
// keeps its rates itself.
func (*sqliteStore) leaseSlots(context.Context, string, int) (time.Time, time.Duration, error) {
	return time.Time{}, 0, errLocalLimits
}

// releaseLost finds nothing, and is not asked (manyWorkers): SQLite runs
// in the process, so a fetch that committed also came back.
func (sqliteSQL) releaseLost(context.Context, execer, string, []int64, time.Duration) (int64, error) {
	return 0, nil
}

func (sqliteSQL) jobArg(name string) string { return `json_extract(args, '$.` + name + `')` }

// sqlTx is a database/sql transaction.
type sqlTx struct{ t *sql.Tx }

func (s sqlTx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	r, err := s.t.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

func (s sqlTx) query(ctx context.Context, q string, args []any, row func(scan func(...any) error) error) error {
	rows, err := s.t.QueryContext(ctx, q, args...)
	return eachRow(rows, err, row)
}

// eachRow calls row for each row of a database/sql query's answer, or
// returns the query's error.
func eachRow(rows *sql.Rows, err error, row func(scan func(...any) error) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s sqlTx) commit(context.Context) error   { return s.t.Commit() }
func (s sqlTx) rollback(context.Context) error { return s.t.Rollback() }

// OpenSQLite runs on the caller's SQLite database, opened with the
// "sqlite" driver of modernc.org/sqlite. Give it a pool limited to one
// connection (db.SetMaxOpenConns(1)), as River's SQLite driver
// recommends, and the pragmas Open sets (WAL, a busy timeout). The
// caller keeps ownership of db. It migrates as Open does, unless
// Config.SkipMigrations leaves that to the caller (MigrateSQLite).
func OpenSQLite(ctx context.Context, db *sql.DB, cfg Config) (*Engine, error) {
	cfg = cfg.withDefaults()
	s, err := newSQLiteStore(db, cfg)
	if err != nil {
		return nil, err
	}
	return newEngine(ctx, s, cfg)
}

// openSQLiteDSN is Open of a SQLite DSN.
func openSQLiteDSN(ctx context.Context, dsn string, cfg Config) (*Engine, error) {
	if err := createSQLiteFile(dsn); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", sqliteDSN(dsn))
	if err != nil {
		return nil, fmt.Errorf("bulk: sqlite: %w", err)
	}
	db.SetMaxOpenConns(1)
	e, err := OpenSQLite(ctx, db, cfg)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	e.closer = func() { _ = db.Close() }
	return e, nil
}

// openSQLiteReader is OpenReader of a SQLite DSN: the file opened
// read-only, after checking that it holds the journal.
func openSQLiteReader(ctx context.Context, dsn string, _ Config) (*Reader, error) {
	path, ok := sqlitePath(dsn)
	if !ok {
		return nil, fmt.Errorf("%w: %q is an in-memory database", ErrNoDatabase, dsn)
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s does not exist", ErrNoDatabase, path)
	} else if err != nil {
		return nil, fmt.Errorf("bulk: sqlite: %w", err)
	}
	if m := sqliteMode(dsn); m != "" && m != "ro" {
		return nil, fmt.Errorf("bulk: sqlite: %s: a reader opens the database with mode=ro, not mode=%s", path, m)
	}
	db, err := sql.Open("sqlite", sqliteReadDSN(dsn))
	if err != nil {
		return nil, fmt.Errorf("bulk: sqlite: %s: %w", path, err)
	}
	var n int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('restrict_bulk_run', 'restrict_bulk_outcome')`).Scan(&n)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("bulk: sqlite: %s: %w", path, err)
	}
	if n < 2 {
		_ = db.Close()
		return nil, fmt.Errorf("%w: %s holds no bulk journal", ErrNoDatabase, path)
	}
	return &Reader{read: reader{sq: sqliteSQL{}, db: db}, closer: func() { _ = db.Close() }}, nil
}

// sqlitePath is the file a SQLite dsn names, as SQLite reads it (a file:
// URI's path is percent-decoded, its query dropped), and false for an
// in-memory or temporary database, which has no file.
func sqlitePath(dsn string) (string, bool) {
	d := strings.TrimPrefix(dsn, "sqlite:")
	d = strings.TrimPrefix(d, "file:")
	d, query, _ := strings.Cut(d, "?")
	d, _, _ = strings.Cut(d, "#")
	if rest, ok := strings.CutPrefix(d, "//"); ok {
		host, path, _ := strings.Cut(rest, "/")
		if host != "" && host != "localhost" {
			return "", false
		}
		d = "/" + path
	}
	if p, err := url.PathUnescape(d); err == nil {
		d = p
	}
	q, _ := url.ParseQuery(query)
	if d == "" || d == ":memory:" || q.Get("mode") == "memory" || q.Get("vfs") != "" {
		return "", false
	}
	return d, true
}

// createSQLiteFile creates the file of a SQLite dsn, empty and mode 0600,
// if it does not exist, so that SQLite opens it rather than create it with
// the umask's mode (0644 under the usual 022). SQLite gives a database's
// -wal and -shm files the database file's mode.
// checkSQLiteDSN refuses a path that can never hold the database: a
// folder, or a file in a folder that does not exist.
func checkSQLiteDSN(dsn string) error {
	path, ok := sqlitePath(dsn)
	if !ok {
		return nil
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return fmt.Errorf("%w: %s is a folder, not a SQLite file", ErrBadDSN, path)
	}
	dir := filepath.Dir(path)
	info, err := os.Stat(dir)
	if err == nil && !info.IsDir() {
		err = &fs.PathError{Op: "stat", Path: dir, Err: fs.ErrNotExist}
	}
	if err != nil {
		// Still matches fs.ErrNotExist, as the open it spares would.
		return fmt.Errorf("%w: the folder of %s does not exist: %w", ErrBadDSN, path, err)
	}
	return nil
}

func createSQLiteFile(dsn string) error {
	path, ok := sqlitePath(dsn)
	if !ok {
		return nil
	}
	if m := sqliteMode(dsn); m == "ro" || m == "rw" {
		return nil // the caller asked SQLite not to create it
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("bulk: sqlite: creating the database: %w", err)
	}
	// The umask may have taken bits from 0600 (077 takes none, 0277 the
	// owner's write); set it exactly.
	err = f.Chmod(0o600)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("bulk: sqlite: creating the database: %w", err)
	}
	return nil
}

func sqliteMode(dsn string) string {
	_, query, _ := strings.Cut(dsn, "?")
	q, _ := url.ParseQuery(query)
	return q.Get("mode")
}

// sqliteDSN turns a path or file: URI into a modernc.org/sqlite DSN with
// the pragmas a busy queue needs: WAL, so that readers (another process
// showing progress) do not block the writer; a busy timeout, so that a
// second process waits for the lock instead of failing with SQLITE_BUSY;
// synchronous=NORMAL, which in WAL mode stays durable across a process
// crash (only a power loss can lose the last commits); and immediate
// transactions, which take the write lock at BEGIN, so two writers never
// deadlock upgrading their locks.
func sqliteDSN(dsn string) string {
	return withSQLiteParams(dsn, []struct{ name, value string }{
		{"journal_mode", "journal_mode(WAL)"},
		{"busy_timeout", "busy_timeout(10000)"},
		{"synchronous", "synchronous(NORMAL)"},
	}, "_txlock", "immediate")
}

// sqliteReadDSN is a read-only modernc.org/sqlite DSN for a reader: the
// file opened with mode=ro, which never creates it and works beside a
// writer in WAL mode, and a busy timeout.
func sqliteReadDSN(dsn string) string {
	return withSQLiteParams(dsn, []struct{ name, value string }{
		{"busy_timeout", "busy_timeout(10000)"},
	}, "mode", "ro")
}

// withSQLiteParams adds the pragmas and the parameter name=value to a
// SQLite DSN, except those the caller's DSN sets itself.
func withSQLiteParams(dsn string, pragmas []struct{ name, value string }, name, value string) string {
	dsn = strings.TrimPrefix(dsn, "sqlite:")
	if !strings.HasPrefix(dsn, "file:") {
		dsn = "file:" + dsn
	}
	v := url.Values{}
	for _, p := range pragmas {
		if !strings.Contains(dsn, p.name) {
			v.Add("_pragma", p.value)
		}
	}
	_, query, _ := strings.Cut(dsn, "?")
	if q, _ := url.ParseQuery(query); !q.Has(name) {
		v.Add(name, value)
	}
	if len(v) == 0 {
		return dsn
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + v.Encode()
}
