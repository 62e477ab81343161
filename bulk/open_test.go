package bulk_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/restrictkit/restrict"
	"github.com/restrictkit/restrict/bulk"
	"github.com/restrictkit/restrict/restricttest"
)

func TestOpenReaderSQLite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	missing := filepath.Join(dir, "missing.db")
	_, err := bulk.OpenReader(ctx, missing, bulk.Config{})
	require.ErrorIs(t, err, bulk.ErrNoDatabase)
	require.ErrorContains(t, err, missing)
	_, err = bulk.OpenReader(ctx, "file:"+missing+"?_pragma=busy_timeout(1)", bulk.Config{})
	require.ErrorIs(t, err, bulk.ErrNoDatabase)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "a reader creates nothing")

	// A SQLite file that is not a bulk database.
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE t (x)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = bulk.OpenReader(ctx, other, bulk.Config{})
	require.ErrorIs(t, err, bulk.ErrNoDatabase)
	require.ErrorContains(t, err, "holds no bulk journal")

	// Read while a worker writes.
	path := filepath.Join(dir, "bulk.db")
	e, err := bulk.Open(ctx, path, fastConfig())
	require.NoError(t, err)
	defer e.Close()
	r, err := bulk.OpenReader(ctx, path, bulk.Config{})
	require.NoError(t, err)
	defer r.Close()
	fake := &restricttest.Fake{Provider: "a"}
	require.NoError(t, e.Register("a", fake, bulk.Limits{Concurrency: 2}))
	_, err = e.Submit(ctx, bulk.Run{Name: "rd", Op: restrict.OpRestrict}, bulk.Subjects(subjects(200, "a")...))
	require.NoError(t, err)
	require.NoError(t, e.Start(ctx))
	defer func() { require.NoError(t, e.Stop(ctx)) }()
	reads := 0
	require.Eventually(t, func() bool {
		p, err := r.Progress(ctx, "rd")
		require.NoError(t, err)
		reads++
		return p.Finished()
	}, time.Minute, 5*time.Millisecond, "the run finishes while a reader reads (on a loaded machine, 30 s was once not enough)")
	t.Logf("%d progress reads while the worker wrote", reads)
	ri, err := r.Run(ctx, "rd")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		ri, err = r.Run(ctx, "rd")
		return err == nil && ri.Finished()
	}, 10*time.Second, time.Millisecond)
	runs, err := r.Runs(ctx)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	n := 0
	for o, err := range r.Outcomes(ctx, bulk.Filter{Run: "rd"}) {
		require.NoError(t, err)
		require.Equal(t, bulk.ResultOK, o.Result)
		n++
	}
	require.Equal(t, 200, n)
	_, err = r.Run(ctx, "nope")
	require.ErrorIs(t, err, bulk.ErrRunNotFound)

	// mode=ro holds: the reader's connection cannot write.
	_, err = bulk.OpenReader(ctx, "file:"+path+"?mode=rwc", bulk.Config{})
	require.ErrorContains(t, err, "mode=ro")
	require.NoError(t, r.Close())
	require.NoError(t, r.Close(), "a second Close does nothing")
}

func TestOpenReaderPostgres(t *testing.T) {
	ctx := context.Background()
	url, schema := testSchema(t)
	_, err := bulk.OpenReader(ctx, url, bulk.Config{Schema: schema})
	require.ErrorIs(t, err, bulk.ErrNoDatabase, "an empty schema")
	require.ErrorContains(t, err, schema)
	_, err = bulk.OpenReader(ctx, url, bulk.Config{Schema: "bulk_test_never_created"})
	require.ErrorIs(t, err, bulk.ErrNoDatabase, "a schema that does not exist")

	cfg := fastConfig()
	cfg.Schema = schema
	e, err := bulk.Open(ctx, url, cfg)
	require.NoError(t, err)
	defer e.Close()
	_, err = e.Submit(ctx, bulk.Run{Name: "pg", Op: restrict.OpStatus}, bulk.Subjects(subjects(3, "a")...))
	require.NoError(t, err)
	r, err := bulk.OpenReader(ctx, url, bulk.Config{Schema: schema})
	require.NoError(t, err)
	defer r.Close()
	p, err := r.Progress(ctx, "pg")
	require.NoError(t, err)
	require.Equal(t, bulk.Counts{Total: 3, Pending: 3}, p.All)
	ri, err := r.Run(ctx, "pg")
	require.NoError(t, err)
	require.Equal(t, int64(3), ri.Jobs)
}

// umask is process-wide: this test must not run in parallel with others.
func TestSQLiteFilesAreOwnerOnly(t *testing.T) {
	for _, mask := range []int{0o022, 0o000, 0o277} {
		t.Run(fmt.Sprintf("umask %03o", mask), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ids.db") // before the umask: 0277 would make it unwritable
			old := syscall.Umask(mask)
			defer syscall.Umask(old)
			ctx := context.Background()
			e, err := bulk.Open(ctx, path, fastConfig())
			require.NoError(t, err)
			defer e.Close()
			_, err = e.Submit(ctx, bulk.Run{Name: "m", Op: restrict.OpRestrict}, bulk.Subjects(subjects(3, "a")...))
			require.NoError(t, err)
			for _, f := range []string{path, path + "-wal", path + "-shm"} {
				st, err := os.Stat(f)
				require.NoError(t, err)
				require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), f)
			}
		})
	}
	_, err := bulk.Open(context.Background(), filepath.Join(t.TempDir(), "no", "such", "dir.db"), bulk.Config{})
	require.ErrorIs(t, err, os.ErrNotExist)
	require.ErrorContains(t, err, "dir.db")
}

func TestRedactDSN(t *testing.T) {
	for _, tc := range []struct{ dsn, want string }{
		{"postgres://user:hunter2@db.example/restrict", "postgres://user:xxxxx@db.example/restrict"},
		{"postgresql://user:hun%40ter2@db:5432/restrict?sslmode=disable", "postgresql://user:xxxxx@db:5432/restrict?sslmode=disable"},
		{"postgres://user@db/restrict?password=hunter2&sslmode=require", "postgres://user@db/restrict?password=xxxxx&sslmode=require"},
		{"postgres://db/restrict?sslpassword=hunter2&sslkey=/etc/key.pem", "postgres://db/restrict?sslpassword=xxxxx&sslkey=/etc/key.pem"},
		{"postgres://db/restrict?pass%77ord=hunter2", "postgres://db/restrict?pass%77ord=xxxxx"},
		{"postgres://u:a@h1:5432,h2:5433/db?password=hunter2", "postgres://u:xxxxx@h1:5432,h2:5433/db?password=xxxxx"},
		{"postgres://db/restrict", "postgres://db/restrict"},
		{"host=db user=u password=hunter2 dbname=restrict", "host=db user=u password=xxxxx dbname=restrict"},
		{"host=db password = hunter2", "host=db password = xxxxx"},
		{`host=db password='hun ter\'2' sslmode=disable`, `host=db password=xxxxx sslmode=disable`},
		{`password=hun\ ter2 host=db`, `password=xxxxx host=db`},
		{"password= host=db", "password= xxxxx"}, // as pgx reads it, the password is "host=db"
		{"dbname=x sslpassword='k'", "dbname=x sslpassword=xxxxx"},
		// Unparseable: nothing of it is echoed.
		{"postgres://user:hun@ter2@db/restrict", "postgres://[redacted]"},
		{"postgres://user:hunter2@db:port/restrict", "postgres://[redacted]"},
		{"postgres://user:hun#ter2@db/restrict", "postgres://[redacted]"},
		{"postgres://db/x?password=%zzhunter2", "postgres://[redacted]"},
		{"host=db password='hunter2", "[redacted]"},
		{"host=db password", "[redacted]"},
		{"postgres:user:hunter2@db", "[redacted]"},
		// SQLite: as it is.
		{"restrict.db", "restrict.db"},
		{"file:restrict.db?_pragma=busy_timeout(5000)", "file:restrict.db?_pragma=busy_timeout(5000)"},
		{"sqlite:/var/lib/restrict/run=1.db", "sqlite:/var/lib/restrict/run=1.db"},
	} {
		got := bulk.RedactDSN(tc.dsn)
		require.Equal(t, tc.want, got, tc.dsn)
		require.NotContains(t, got, "hunter2")
		require.NotContains(t, got, "ter2")
	}
}

// No error of Open or OpenReader holds a password, whether pgx cannot
// parse the DSN or cannot connect.
func TestOpenErrorsHoldNoPassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, dsn := range []string{
		"postgres://u:hunter2@127.0.0.1:notaport/db",
		"postgres://u:hun@ter2@127.0.0.1/db",
		"postgres://u@127.0.0.1/db?password=hunter2&pool_max_conns=many",
		"postgres://u@127.0.0.1/db?password=hunter2&connect_timeout=nope",
		"postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=1",
		"postgres://u@127.0.0.1:1/db?sslpassword=hunter2&connect_timeout=1",
		"host=127.0.0.1 port=1 password='hunter2' connect_timeout=1",
		"host=127.0.0.1 port=nope password=hunter2",
		"host=127.0.0.1 password='hunter2",
	} {
		_, err := bulk.Open(ctx, dsn, bulk.Config{})
		require.Error(t, err, dsn)
		require.NotContains(t, err.Error(), "hunter2", dsn)
		require.NotContains(t, err.Error(), "ter2", dsn)
		_, err = bulk.OpenReader(ctx, dsn, bulk.Config{})
		require.Error(t, err, dsn)
		require.NotContains(t, err.Error(), "ter2", dsn)
		t.Log(err)
	}
}

// A key/value connection string opens Postgres, as pgx reads it.
func TestOpenKeywordValueDSN(t *testing.T) {
	url, schema := testSchema(t)
	c, err := pgconn.ParseConfig(url)
	require.NoError(t, err)
	kv := fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable", c.Host, c.Port, c.User, c.Database)
	if c.Password != "" {
		kv += " password='" + strings.ReplaceAll(c.Password, "'", `\'`) + "'"
	}
	e, err := bulk.Open(context.Background(), kv, bulk.Config{Schema: schema})
	require.NoError(t, err)
	require.NoError(t, e.Close())
	r, err := bulk.OpenReader(context.Background(), kv, bulk.Config{Schema: schema})
	require.NoError(t, err)
	require.NoError(t, r.Close())
}
