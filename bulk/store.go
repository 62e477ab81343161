package bulk

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/restrictkit/restrict"
)

// store is one database under the engine: how it is migrated, its
// transactions, River on its driver, and its form of the journal's SQL.
// sqliteStore (sqlite.go) and postgresStore (postgres.go) are the two;
// nothing else in the package asks which database it runs on.
type store interface {
	journalSQL
	// sqlDB is the database/sql handle of the read side.
	sqlDB() *sql.DB
	// migrate brings River's tables and the journal's up to date.
	migrate(ctx context.Context, cfg Config) error
	// inTx runs fn in one transaction, committed if fn returns nil.
	inTx(ctx context.Context, fn func(tx execer) error) error
	// submit runs fn in one transaction; fn inserts jobs with insert.
	submit(ctx context.Context, fn func(tx execer, insert insertFunc) error) error
	// inCallerTx runs fn in the caller's transaction tx (SubmitTx), or
	// fails with ErrWrongTx if tx is not of the store's driver.
	inCallerTx(ctx context.Context, tx any, fn func(tx execer, insert insertFunc) error) error
	// client is a River client on the store's driver.
	client(cfg *river.Config) (riverClient, error)
	// complete journals a job's final outcome and completes the job, in a
	// transaction shared with other jobs' (see committer).
	complete(ctx context.Context, job *river.Job[JobArgs], rec record) error
	// close ends the store's goroutines, once no worker runs; a second
	// call does nothing.
	close()
	// manyWorkers says whether several processes may work the database:
	// then a provider's rate is kept in it (leaseSlots) rather than in
	// each process, and a fetch can be lost on the way (releaseLost).
	manyWorkers() bool
	// leaseSlots takes n request slots of provider (see leases.go) and
	// returns the first one's time, in this process's clock, and the time
	// between two slots; errLocalLimits when the database holds no rate
	// for provider.
	leaseSlots(ctx context.Context, provider string, n int) (first time.Time, every time.Duration, err error)
}

// journalSQL is one database's form of the journal's statements. The
// shared ones are written once, with "?" placeholders and {p} before a
// table's name, and bind turns them into the database's; the others differ
// in more than that.
type journalSQL interface {
	bind(q string) string
	// insertPending creates the pending rows of a batch and returns those
	// that are new (see submit.go).
	insertPending(ctx context.Context, tx execer, run string, action restrict.Op, rows []pendingRow) (map[[2]string]bool, error)
	// finish writes the final outcomes of a batch of jobs in one statement
	// (see finishSQL).
	finish(ctx context.Context, tx execer, jobs []JobArgs, recs []record) error
	// completeJobs completes River's jobs of ids that are running, as
	// river.JobCompleteTx does one, and returns how many it completed.
	completeJobs(ctx context.Context, tx execer, ids []int64, now time.Time) (int64, error)
	// storedTargets returns the IDs the journal holds for keys in run, by
	// key and provider.
	storedTargets(ctx context.Context, tx execer, run string, keys []string) (map[string]map[string]string, error)
	// lockRun makes concurrent re-submissions of run take turns.
	lockRun(ctx context.Context, tx execer, run string) error
	// createSubmitted creates restrict_bulk_submitted, the temporary table
	// of the keys a re-submission holds, in tx only; addSubmitted adds
	// keys to it; dropSubmitted drops it.
	createSubmitted(ctx context.Context, tx execer) error
	addSubmitted(ctx context.Context, tx execer, keys []string) error
	dropSubmitted(ctx context.Context, tx execer) error
	// analyze brings the database's statistics of the journal up to date,
	// where its planner keeps some.
	analyze(ctx context.Context, tx execer) error
	// jobArg is the SQL expression of a River job's argument name, from
	// river_job.args.
	jobArg(name string) string
	// releaseLost makes available again the bulk jobs that River client
	// marked running at least after ago, that are not in working, and
	// returns how many (see lostfetch.go).
	releaseLost(ctx context.Context, tx execer, client string, working []int64, after time.Duration) (int64, error)
}

// execer is a transaction of either driver, reduced to what the journal
// needs: pgx.Tx and *sql.Tx both fit behind it.
type execer interface {
	exec(ctx context.Context, q string, args ...any) (int64, error)
	// query runs a query and calls row for each row it returns, with the
	// row's Scan.
	query(ctx context.Context, q string, args []any, row func(scan func(dest ...any) error) error) error
}

// tx is a transaction of either driver.
type tx interface {
	execer
	commit(ctx context.Context) error
	rollback(ctx context.Context) error
}

type insertFunc = func([]river.InsertManyParams) ([]*rivertype.JobInsertResult, error)

// riverClient is a River client of either driver, as the engine starts and
// stops it.
type riverClient interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	// ID is the client's ID, which River writes in the attempted_by of
	// the jobs it fetches.
	ID() string
}

// riverDB is River on one driver: its transactions, its insert-only
// client, its migrations and the group commit. The two stores differ in
// their transaction type (*sql.Tx for SQLite, pgx.Tx for Postgres), which
// River's JobCompleteTx and InsertManyTx are generic over, so this is the
// one generic part; each store embeds it.
type riverDB[TTx any, TDriver riverdriver.Driver[TTx]] struct {
	driver TDriver
	begin  func(ctx context.Context) (TTx, tx, error)
	// inserter is an insert-only client: no queues. Submission needs no
	// worker, so a process can submit a run that other processes work.
	inserter *river.Client[TTx]
	commits  *committer[TTx, TDriver]
}

// newRiverDB is River on driver, whose transactions begin starts. sq
// is the store's SQL, and committers how many transactions of completions may
// run at once.
func newRiverDB[TTx any, TDriver riverdriver.Driver[TTx]](driver TDriver, begin func(context.Context) (TTx, tx, error),
	cfg Config, sq journalSQL, committers int,
) (*riverDB[TTx, TDriver], error) {
	r := &riverDB[TTx, TDriver]{driver: driver, begin: begin}
	c, err := river.NewClient[TTx](driver, &river.Config{Logger: cfg.Logger, Schema: cfg.Schema})
	if err != nil {
		return nil, fmt.Errorf("bulk: river: %w", err)
	}
	r.inserter = c
	r.commits = newCommitter[TTx, TDriver](committers, r.inRiverTx, sq.finish, sq.completeJobs)
	return r, nil
}

// inRiverTx runs fn in one transaction, given both as River's and as the
// journal's.
func (r *riverDB[TTx, TDriver]) inRiverTx(ctx context.Context, fn func(TTx, execer) error) error {
	rtx, t, err := r.begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(rtx, t); err != nil {
		_ = t.rollback(context.WithoutCancel(ctx))
		return err
	}
	return t.commit(ctx)
}

func (r *riverDB[TTx, TDriver]) inTx(ctx context.Context, fn func(execer) error) error {
	return r.inRiverTx(ctx, func(_ TTx, t execer) error { return fn(t) })
}

func (r *riverDB[TTx, TDriver]) submit(ctx context.Context, fn func(tx execer, insert insertFunc) error) error {
	return r.inRiverTx(ctx, func(rtx TTx, t execer) error {
		return fn(t, func(p []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
			return r.inserter.InsertManyTx(ctx, rtx, p)
		})
	})
}

func (r *riverDB[TTx, TDriver]) client(cfg *river.Config) (riverClient, error) {
	c, err := river.NewClient[TTx](r.driver, cfg)
	if err != nil {
		return nil, fmt.Errorf("bulk: river: %w", err)
	}
	return c, nil
}

// migrateRiver runs River's own migrations, each in a transaction of its
// own: some of Postgres's (adding enum values) cannot share one.
func (r *riverDB[TTx, TDriver]) migrateRiver(ctx context.Context, cfg Config) error {
	m, err := rivermigrate.New[TTx](r.driver, &rivermigrate.Config{Logger: cfg.Logger, Schema: cfg.Schema})
	if err != nil {
		return fmt.Errorf("river: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river: %w", err)
	}
	return nil
}

func (r *riverDB[TTx, TDriver]) complete(ctx context.Context, job *river.Job[JobArgs], rec record) error {
	return r.commits.complete(ctx, job, rec)
}

func (r *riverDB[TTx, TDriver]) close() { r.commits.close() }

// databases are the kinds of database Open and OpenReader know: each file
// of one (sqlite.go, postgres.go) adds its own, claiming the DSNs it
// opens. No DSN is claimed by two.
var databases []database

type database struct {
	claims     func(dsn string) bool
	check      func(dsn string) error
	open       func(ctx context.Context, dsn string, cfg Config) (*Engine, error)
	openReader func(ctx context.Context, dsn string, cfg Config) (*Reader, error)
}

// databaseOf is the kind of database dsn names.
func databaseOf(dsn string) database {
	for _, d := range databases {
		if d.claims(dsn) {
			return d
		}
	}
	panic("bulk: no database claims the DSN") // every DSN is SQLite's that no other claims
}
