package bulk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/restrictkit/restrict"
)

func init() {
	databases = append(databases, database{
		claims:     isPostgresDSN,
		check:      checkPostgresDSN,
		open:       openPostgresDSN,
		openReader: openPostgresReader,
	})
}

// postgresStore is the store of a Postgres database, which several worker
// processes may share.
type postgresStore struct {
	*riverDB[pgx.Tx, *riverpgxv5.Driver]
	postgresSQL
	pool *pgxpool.Pool
	db   *sql.DB
}

// postgresCommitters is how many transactions of completions run at once.
// Since a batch completes its jobs in one statement, two keep up with
// River's own fetching (BenchmarkEngineVsRiver: the same rate as four), and
// each process holds two connections fewer than with four.
const postgresCommitters = 2

func newPostgresStore(pool *pgxpool.Pool, cfg Config) (*postgresStore, error) {
	s := &postgresStore{postgresSQL: newPostgresSQL(cfg.Schema), pool: pool, db: stdlib.OpenDBFromPool(pool)}
	r, err := newRiverDB(riverpgxv5.New(pool), func(ctx context.Context) (pgx.Tx, tx, error) {
		t, err := pool.Begin(ctx)
		if err != nil {
			return nil, nil, err
		}
		return t, pgxTx{t}, nil
	}, cfg, s.postgresSQL, postgresCommitters)
	if err != nil {
		_ = s.db.Close()
		return nil, err
	}
	s.riverDB = r
	return s, nil
}

func (s *postgresStore) sqlDB() *sql.DB { return s.db }

func (s *postgresStore) migrate(ctx context.Context, cfg Config) error {
	if cfg.SkipMigrations {
		where := "the search_path's schema"
		if cfg.Schema != "" {
			where = fmt.Sprintf("schema %q", cfg.Schema)
		}
		return s.checkMigrated(ctx, cfg, where, func(ctx context.Context, t execer) (map[[2]string]bool, error) {
			return keys(ctx, t, `SELECT table_name::text, column_name::text FROM information_schema.columns
				WHERE table_schema = COALESCE(NULLIF($1::text, ''), current_schema()) AND table_name LIKE 'restrict_bulk%'`,
				cfg.Schema)
		})
	}
	// Two processes opening one database at once must not both create
	// the tables: the second waits here for the first to finish.
	unlock, err := s.lockMigrations(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if cfg.Schema != "" {
		if err := s.inTx(ctx, func(t execer) error {
			_, err := t.exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{cfg.Schema}.Sanitize())
			return err
		}); err != nil {
			return err
		}
	}
	if err := s.migrateRiver(ctx, cfg); err != nil {
		return err
	}
	return s.inTx(ctx, func(t execer) error {
		return migrateJournal(ctx, t, s, "TIMESTAMPTZ", func(table, column string) (bool, error) {
			got, err := keys(ctx, t, `SELECT column_name::text, data_type::text FROM information_schema.columns
				WHERE table_schema = COALESCE(NULLIF($1::text, ''), current_schema()) AND table_name = $2 AND column_name = $3`,
				cfg.Schema, table, column)
			return len(got) > 0, err
		})
	})
}

// lockMigrations takes a session advisory lock, held on a connection of
// its own while the migrations run on others.
func (s *postgresStore) lockMigrations(ctx context.Context) (unlock func(), err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	key := "restrict_bulk_migrate:" + s.schema
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtext($1))`, key); err != nil {
		conn.Release()
		return nil, err
	}
	return func() {
		_, _ = conn.Exec(context.Background(), `SELECT pg_advisory_unlock(hashtext($1))`, key)
		conn.Release()
	}, nil
}

// postgresSQL is Postgres's form of the journal's statements. A batch
// binds its columns as arrays, so that a statement has one text whatever
// the batch's size: pgx prepares and caches every distinct text per
// connection, and a VALUES list per size would fill that cache with
// hundreds of statements.
type postgresSQL struct {
	schema string // "" for the search_path
	prefix string // `"schema".` or ""
}

func newPostgresSQL(schema string) postgresSQL {
	q := postgresSQL{schema: schema}
	if schema != "" {
		q.prefix = pgx.Identifier{schema}.Sanitize() + "."
	}
	return q
}

// bind numbers the placeholders: $1, $2, ...
func (q postgresSQL) bind(s string) string {
	s = strings.ReplaceAll(s, "{p}", q.prefix)
	var b strings.Builder
	n := 0
	for _, r := range s {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (q postgresSQL) insertPending(ctx context.Context, tx execer, run string, action restrict.Op, rows []pendingRow) (map[[2]string]bool, error) {
	subjects, providers, targets := make([]string, len(rows)), make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		subjects[i], providers[i], targets[i] = r.subject, r.provider, r.target
	}
	created, err := keys(ctx, tx, q.bind(`INSERT INTO {p}restrict_bulk_outcome (run, subject, provider, target, action)
		SELECT ?, s, p, t, ? FROM unnest(?::text[], ?::text[], ?::text[]) AS u(s, p, t)
		ON CONFLICT (run, subject, provider) DO NOTHING RETURNING subject, provider`),
		run, string(action), subjects, providers, targets)
	if err != nil {
		return nil, fmt.Errorf("bulk: journal: %w", err)
	}
	return created, nil
}

func (q postgresSQL) finish(ctx context.Context, tx execer, jobs []JobArgs, recs []record) error {
	n := len(jobs)
	var text [12][]string
	for i := range text {
		text[i] = make([]string, n)
	}
	ints := [4][]int32{make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)}
	times := [2][]time.Time{make([]time.Time, n), make([]time.Time, n)}
	for i, a := range jobs {
		r := recs[i]
		for j, v := range []string{a.Run, a.Subject, a.Provider, a.Target, string(a.Op),
			string(r.result), r.state, r.providerAction, r.class, r.code, r.message, r.requestID} {
			text[j][i] = v
		}
		ints[0][i], ints[1][i], ints[2][i], ints[3][i] = int32(r.httpStatus), int32(r.httpAttempts), int32(r.jobAttempt), 1
		times[0][i], times[1][i] = r.started.UTC(), r.finished.UTC()
	}
	_, err := tx.exec(ctx, q.bind(finishInsert+`SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
		?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
		?::int[], ?::int[], ?::int[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::int[])`+finishUpsert),
		text[0], text[1], text[2], text[3], text[4], text[5], text[6], text[7], text[8], text[9], text[10],
		ints[0], ints[1], ints[2], text[11], times[0], times[1], ints[3])
	return err
}

func (q postgresSQL) completeJobs(ctx context.Context, tx execer, ids []int64, now time.Time) (int64, error) {
	return tx.exec(ctx, q.bind(`UPDATE {p}river_job SET state = 'completed', finalized_at = ?
		WHERE id = ANY(?::bigint[]) AND state = 'running'`), now, ids)
}

// releaseLost gives back the attempt River's fetch counted, as the job was
// never worked. The database's clock judges the age, as it wrote
// attempted_at.
func (q postgresSQL) releaseLost(ctx context.Context, tx execer, client string, working []int64, after time.Duration) (int64, error) {
	return tx.exec(ctx, q.bind(`UPDATE {p}river_job SET state = 'available', attempt = greatest(attempt - 1, 0), scheduled_at = now()
		WHERE state = 'running' AND kind = ? AND attempted_by[array_length(attempted_by, 1)] = ?
		AND attempted_at < now() - make_interval(secs => ?) AND NOT (id = ANY(?::bigint[]))`),
		JobKind, client, after.Seconds(), working)
}

func (*postgresStore) manyWorkers() bool { return true }

// leaseSlots moves next_slot on by n slots in one statement, which the
// row's lock serialises between processes: the database's clock is the
// one they share. It runs alone, not in a transaction, so that it is one
// round trip, and the database's time of it (clock_timestamp, not the
// transaction's now) is taken as the middle of that trip here.
func (s *postgresStore) leaseSlots(ctx context.Context, provider string, n int) (time.Time, time.Duration, error) {
	var next, at time.Time
	var perSecond float64
	sent := time.Now()
	err := s.pool.QueryRow(ctx, s.bind(`WITH c AS (SELECT clock_timestamp() AS now)
		UPDATE {p}restrict_bulk_limit SET next_slot = greatest(coalesce(next_slot, c.now), c.now) + make_interval(secs => ?::float8 / (rate * slowed))
		FROM c WHERE provider = ? AND rate > 0 RETURNING next_slot, c.now, rate * slowed`), n, provider).Scan(&next, &at, &perSecond)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, 0, errLocalLimits
	}
	if err != nil {
		return time.Time{}, 0, err
	}
	here := sent.Add(time.Since(sent) / 2)
	every := time.Duration(float64(time.Second) / perSecond)
	return here.Add(next.Add(-time.Duration(n) * every).Sub(at)), every, nil
}

func (q postgresSQL) storedTargets(ctx context.Context, tx execer, run string, keys []string) (map[string]map[string]string, error) {
	out, add := targetsScanner()
	if len(keys) == 0 {
		return out, nil
	}
	err := tx.query(ctx, q.bind(`SELECT subject, provider, target FROM {p}restrict_bulk_outcome WHERE run = ? AND subject = ANY(?::text[])`), []any{run, keys}, add)
	if err != nil {
		return nil, fmt.Errorf("bulk: journal: %w", err)
	}
	return out, nil
}

func (q postgresSQL) lockRun(ctx context.Context, tx execer, run string) error {
	if _, err := tx.exec(ctx, q.bind(`SELECT 1 FROM {p}restrict_bulk_run WHERE name = ? FOR UPDATE`), run); err != nil {
		return fmt.Errorf("bulk: run %q: %w", run, err)
	}
	return nil
}

func (postgresSQL) createSubmitted(ctx context.Context, tx execer) error {
	if _, err := tx.exec(ctx, `CREATE TEMP TABLE restrict_bulk_submitted (subject TEXT PRIMARY KEY) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("bulk: journal: %w", err)
	}
	return nil
}

func (postgresSQL) addSubmitted(ctx context.Context, tx execer, keys []string) error {
	if _, err := tx.exec(ctx, `INSERT INTO restrict_bulk_submitted SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, keys); err != nil {
		return fmt.Errorf("bulk: journal: %w", err)
	}
	return nil
}

// dropSubmitted drops the table at once rather than at commit: a caller's
// transaction may hold a second SubmitTx.
func (postgresSQL) dropSubmitted(ctx context.Context, tx execer) error {
	if _, err := tx.exec(ctx, `DROP TABLE pg_temp.restrict_bulk_submitted`); err != nil {
		return fmt.Errorf("bulk: journal: %w", err)
	}
	return nil
}

func (q postgresSQL) analyze(ctx context.Context, tx execer) error {
	_, err := tx.exec(ctx, q.bind(`ANALYZE {p}restrict_bulk_outcome`))
	return err
}

func (postgresSQL) jobArg(name string) string { return `args->>'` + name + `'` }

// pgxTx is a pgx transaction.
type pgxTx struct{ t pgx.Tx }

func (p pgxTx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := p.t.Exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (p pgxTx) query(ctx context.Context, q string, args []any, row func(scan func(...any) error) error) error {
	rows, err := p.t.Query(ctx, q, args...)
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

func (p pgxTx) commit(ctx context.Context) error   { return p.t.Commit(ctx) }
func (p pgxTx) rollback(ctx context.Context) error { return p.t.Rollback(ctx) }

// OpenPostgres runs on the caller's Postgres pool. Several processes may
// share one database (and Config.Schema): each job is worked by one of
// them. The caller keeps ownership of pool. It migrates as Open does,
// unless Config.SkipMigrations leaves that to the caller (MigratePostgres).
func OpenPostgres(ctx context.Context, pool *pgxpool.Pool, cfg Config) (*Engine, error) {
	if err := checkSchema(cfg.Schema); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	s, err := newPostgresStore(pool, cfg)
	if err != nil {
		return nil, err
	}
	e, err := newEngine(ctx, s, cfg)
	if err != nil {
		_ = s.db.Close()
		return nil, err
	}
	e.closer = func() { _ = s.db.Close() }
	return e, nil
}

func checkSchema(schema string) error {
	if schema != "" && !nameRE.MatchString(schema) {
		return fmt.Errorf("bulk: schema %q: want lowercase letters, digits and '_'", schema)
	}
	return nil
}

// openPostgresDSN is Open of a Postgres DSN, through a pool of its own.
func openPostgresDSN(ctx context.Context, dsn string, cfg Config) (*Engine, error) {
	pcfg, err := postgresConfig(dsn)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("bulk: postgres: %w", err)
	}
	e, err := OpenPostgres(ctx, pool, cfg)
	if err != nil {
		pool.Close()
		return nil, err
	}
	e.closer = pool.Close
	return e, nil
}

// postgresConfig parses a Postgres dsn for a pool, with an error that
// holds no secret.
// checkPostgresDSN refuses a connection string that does not parse, with
// postgresConfig's words.
func checkPostgresDSN(dsn string) error {
	if _, err := postgresConfig(dsn); err != nil {
		return fmt.Errorf("%w: %w", ErrBadDSN, err)
	}
	return nil
}

func postgresConfig(dsn string) (*pgxpool.Config, error) {
	if _, _, err := parseDSNSecrets(dsn); err != nil {
		return nil, ambiguousDSNError(dsn)
	}
	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, postgresParseError(dsn, err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		pcfg.MaxConns = postgresMaxConns
	}
	return pcfg, nil
}

// postgresMaxConns is an engine's pool size unless the DSN sets
// pool_max_conns. A finished job needs a connection only through the
// group commit (postgresCommitters), so River's fetches and completions,
// the commits and Wait fit in a few; every connection more is a Postgres
// backend that competes for the same CPUs. BenchmarkWorkers (4 worker
// processes on 2 cores): 6 gives the same or more jobs/s than 32, with a
// peak of 7 sessions per process instead of 9.
const postgresMaxConns = 6

// openPostgresReader is OpenReader of a Postgres DSN: read-only sessions,
// after checking that the schema holds the journal.
func openPostgresReader(ctx context.Context, dsn string, cfg Config) (*Reader, error) {
	schema := cfg.Schema
	if err := checkSchema(schema); err != nil {
		return nil, err
	}
	pcfg, err := postgresConfig(dsn)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		pcfg.MaxConns = 4
	}
	// A reader that cannot write cannot create anything by mistake.
	pcfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("bulk: postgres: %w", err)
	}
	run, outcome := "restrict_bulk_run", "restrict_bulk_outcome"
	where := "the search_path"
	if schema != "" {
		run, outcome = pgx.Identifier{schema, run}.Sanitize(), pgx.Identifier{schema, outcome}.Sanitize()
		where = fmt.Sprintf("schema %q", schema)
	}
	var present bool
	err = pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL`, run, outcome).Scan(&present)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("bulk: postgres: %w", err)
	}
	if !present {
		pool.Close()
		return nil, fmt.Errorf("%w: no bulk journal in %s of database %q", ErrNoDatabase, where, pcfg.ConnConfig.Database)
	}
	db := stdlib.OpenDBFromPool(pool)
	return &Reader{read: reader{sq: newPostgresSQL(schema), db: db}, closer: func() { _ = db.Close(); pool.Close() }}, nil
}
