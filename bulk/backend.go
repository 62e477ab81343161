package bulk

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// backend is River on one driver. The engine above it is written once; the
// two drivers differ in their transaction type (*sql.Tx for SQLite, pgx.Tx
// for Postgres), which River's JobCompleteTx and InsertManyTx are generic
// over, so this is the one generic part.
type backend interface {
	// migrate brings River's tables and the journal's up to date.
	migrate(ctx context.Context) error
	// submit runs fn in one transaction; fn inserts jobs with insert.
	submit(ctx context.Context, fn func(tx execer, insert func([]river.InsertManyParams) ([]*rivertype.JobInsertResult, error)) error) error
	// addWorker registers the bulk worker in workers.
	addWorker(workers *river.Workers) error
	// start starts a River client working queues.
	start(ctx context.Context, queues map[string]river.QueueConfig) error
	stop(ctx context.Context) error
	stopAndCancel(ctx context.Context) error
	// stopped is closed once the working client has stopped.
	stopped() <-chan struct{}
	// close ends the backend's goroutines, once no worker runs.
	close()
}

// tx is a transaction of either driver.
type tx interface {
	execer
	commit(ctx context.Context) error
	rollback(ctx context.Context) error
}

type riverBackend[TTx any, TDriver riverdriver.Driver[TTx]] struct {
	e          *Engine
	committers int // goroutines completing jobs
	once       sync.Once
	pending    chan *completion
	quit       chan struct{}
	closeOnce  sync.Once

	driver   TDriver
	begin    func(ctx context.Context) (TTx, tx, error)
	lock     func(ctx context.Context) (unlock func(), err error) // nil: none needed
	inserter *river.Client[TTx]
	worker   *river.Client[TTx]
	// hard ends when a hard stop (StopAndCancel) begins: workers holding
	// an outcome through an outage let go of it then, so that the stop,
	// and Close, wait for no database.
	hard atomic.Pointer[hardStop]
}

// hardStopGrace is how long a hard stop leaves a worker's journal write to
// finish.
const hardStopGrace = 2 * time.Second

type hardStop struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// hardStopped is a context that ends when a hard stop of the working
// client begins; never, for a River client of the caller's own.
func (b *riverBackend[TTx, TDriver]) hardStopped() context.Context {
	if h := b.hard.Load(); h != nil {
		return h.ctx
	}
	return context.Background()
}

func newBackend[TTx any, TDriver riverdriver.Driver[TTx]](e *Engine, driver TDriver, begin func(context.Context) (TTx, tx, error)) (*riverBackend[TTx, TDriver], error) {
	b := &riverBackend[TTx, TDriver]{e: e, driver: driver, begin: begin, committers: 1,
		pending: make(chan *completion), quit: make(chan struct{})}
	workers := river.NewWorkers()
	if err := b.addWorker(workers); err != nil {
		return nil, err
	}
	// An insert-only client: no queues. Submission needs no worker, so a
	// process can submit a run that other processes work.
	c, err := river.NewClient[TTx](driver, &river.Config{Logger: e.cfg.Logger, Schema: e.cfg.Schema, Workers: workers})
	if err != nil {
		return nil, fmt.Errorf("bulk: river: %w", err)
	}
	b.inserter = c
	return b, nil
}

// migrateAttempts bounds how often a SQLite migration that raced another
// process's is tried again.
const migrateAttempts = 10

func (b *riverBackend[TTx, TDriver]) migrate(ctx context.Context) error {
	if b.lock != nil {
		// Two processes opening one database at once must not both create
		// the tables: the second waits here for the first to finish.
		unlock, err := b.lock(ctx)
		if err != nil {
			return err
		}
		defer unlock()
	}
	if b.e.d.postgres && b.e.cfg.Schema != "" {
		if err := b.inTx(ctx, func(_ TTx, t tx) error {
			_, err := t.exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{b.e.cfg.Schema}.Sanitize())
			return err
		}); err != nil {
			return err
		}
	}
	// River's own migrations run each in a transaction of its own: some of
	// Postgres's (adding enum values) cannot share one.
	m, err := rivermigrate.New[TTx](b.driver, &rivermigrate.Config{Logger: b.e.cfg.Logger, Schema: b.e.cfg.Schema})
	if err != nil {
		return fmt.Errorf("river: %w", err)
	}
	for attempt := 1; ; attempt++ {
		_, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err == nil {
			break
		}
		// SQLite has no advisory lock: a process that opens the file
		// while another is creating the tables (a "restrict runs" beside a
		// starting "restrict run") finds a table its migration wanted to
		// create. Each migration is a transaction of its own, so nothing
		// was half done; once the other process is through, migrating
		// again finds every version applied.
		if b.lock != nil || attempt == migrateAttempts || ctx.Err() != nil {
			return fmt.Errorf("river: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
		}
	}
	return b.inTx(ctx, func(_ TTx, t tx) error {
		for _, q := range b.e.d.schema() {
			if _, err := t.exec(ctx, b.e.d.bind(q)); err != nil {
				return fmt.Errorf("journal: %w", err)
			}
		}
		if err := b.e.d.migrateColumns(ctx, t, b.e.cfg.Schema); err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		return nil
	})
}

func (b *riverBackend[TTx, TDriver]) inTx(ctx context.Context, fn func(TTx, tx) error) error {
	rtx, t, err := b.begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(rtx, t); err != nil {
		_ = t.rollback(context.WithoutCancel(ctx))
		return err
	}
	return t.commit(ctx)
}

func (b *riverBackend[TTx, TDriver]) submit(ctx context.Context, fn func(tx execer, insert func([]river.InsertManyParams) ([]*rivertype.JobInsertResult, error)) error) error {
	return b.inTx(ctx, func(rtx TTx, t tx) error {
		return fn(t, func(p []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
			return b.inserter.InsertManyTx(ctx, rtx, p)
		})
	})
}

func (b *riverBackend[TTx, TDriver]) addWorker(workers *river.Workers) error {
	return river.AddWorkerSafely(workers, &jobWorker[TTx, TDriver]{b: b})
}

func (b *riverBackend[TTx, TDriver]) start(ctx context.Context, queues map[string]river.QueueConfig) error {
	cfg := b.e.cfg
	hctx, cancel := context.WithCancel(context.Background())
	b.hard.Store(&hardStop{ctx: hctx, cancel: cancel})
	workers := river.NewWorkers()
	if err := b.addWorker(workers); err != nil {
		return err
	}
	c, err := river.NewClient[TTx](b.driver, &river.Config{
		Logger:               cfg.Logger,
		Schema:               cfg.Schema,
		Workers:              workers,
		Queues:               queues,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchCooldown:        cfg.FetchCooldown,
		FetchPollInterval:    cfg.FetchPollInterval,
		RetryPolicy:          cfg.RetryPolicy,
		// Our own policy decides when a job has failed for good (see
		// Engine.call) and journals it; River's limit sits above it so that
		// River never discards a job on its own, not even one whose last
		// attempts were cut short by crashes.
		MaxAttempts: cfg.MaxAttempts + crashMargin,
	})
	if err != nil {
		return fmt.Errorf("bulk: river: %w", err)
	}
	if err := c.Start(ctx); err != nil {
		return fmt.Errorf("bulk: river: %w", err)
	}
	b.worker = c
	return nil
}

// crashMargin is how many crashed attempts a job can take on top of
// Config.MaxAttempts before River would discard it unjournaled.
const crashMargin = 100

func (b *riverBackend[TTx, TDriver]) stop(ctx context.Context) error {
	return b.worker.Stop(ctx)
}

func (b *riverBackend[TTx, TDriver]) stopAndCancel(ctx context.Context) error {
	if h := b.hard.Load(); h != nil {
		h.cancel()
	}
	return b.worker.StopAndCancel(ctx)
}

func (b *riverBackend[TTx, TDriver]) stopped() <-chan struct{} { return b.worker.Stopped() }

// jobWorker is the River worker of bulk jobs on one driver.
type jobWorker[TTx any, TDriver riverdriver.Driver[TTx]] struct {
	river.WorkerDefaults[JobArgs]
	b *riverBackend[TTx, TDriver]
}

// Timeout bounds one attempt: the limiter's wait and the provider call.
func (w *jobWorker[TTx, TDriver]) Timeout(*river.Job[JobArgs]) time.Duration {
	return w.b.e.cfg.JobTimeout
}

// Work runs one attempt. A final outcome is journaled in the transaction
// that completes the job, so the journal and the queue never disagree; if
// that transaction fails, the job is snoozed rather than left to River's
// retry count, because a job that River discarded would have no journal
// row. Calling the provider again on the next try is harmless: every
// queued action is idempotent.
func (w *jobWorker[TTx, TDriver]) Work(ctx context.Context, job *river.Job[JobArgs]) error {
	e := w.b.e
	var meta struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(job.Metadata, &meta) // River writes it; a missing count is zero
	at := e.call(ctx, job, meta.Snoozes)

	// Journal writes must happen even when the worker is being stopped and
	// the job's context is cancelled: the provider has answered, and losing
	// the answer would mean calling it again.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), journalTimeout)
	defer cancel()
	// A hard stop leaves these writes a moment to finish (a call cut short
	// by the stop is noted with its HTTP attempts), but never waits for a
	// database that does not answer.
	defer context.AfterFunc(w.b.hardStopped(), func() { time.AfterFunc(hardStopGrace, cancel) })()

	switch at.verdict {
	case snooze:
		if at.rec.class != "" || at.rec.httpAttempts > 0 {
			w.note(wctx, job, at.rec, false)
		}
		if at.rec.class != "" {
			e.emit(Event{Kind: EventSnoozed, Run: job.Args.Run, Subject: job.Args.Subject, Provider: job.Args.Provider,
				Class: at.rec.class, Attempt: job.Attempt, Wait: at.wait})
		}
		return river.JobSnooze(at.wait)
	case retry:
		w.note(wctx, job, at.rec, true)
		e.emit(Event{Kind: EventRetry, Run: job.Args.Run, Subject: job.Args.Subject, Provider: job.Args.Provider,
			Class: at.rec.class, Attempt: job.Attempt})
		return at.err
	}

	if err := w.journal(ctx, job, at.rec); err != nil {
		e.cfg.Logger.ErrorContext(ctx, "bulk: could not journal an outcome; the job will be tried again",
			slog.String("run", job.Args.Run), slog.String("provider", job.Args.Provider), slog.String("error", err.Error()))
		return river.JobSnooze(e.cfg.backoff(1))
	}
	e.emit(Event{Kind: EventOutcome, Run: job.Args.Run, Subject: job.Args.Subject, Provider: job.Args.Provider,
		Result: at.rec.result, Class: at.rec.class, Attempt: job.Attempt})
	return nil
}

// journal completes a job with its final outcome, riding out a database
// outage: while the database answers no ping, the write is tried again
// with a backoff (100 ms doubling to 5 s), so that an answer the provider
// gave is not thrown away and asked for again. It gives up once the job's
// attempt has run for halfway between JobTimeout and RescueAfter, before
// River's rescuer could hand the job to another worker; the job is then
// snoozed (or, if River cannot record even that, rescued later) and its
// call made again. An error from a database that does answer (a
// constraint, a trigger) is not waited out: the job is snoozed at once.
func (w *jobWorker[TTx, TDriver]) journal(ctx context.Context, job *river.Job[JobArgs], rec record) error {
	e := w.b.e
	started := time.Now()
	if job.AttemptedAt != nil {
		started = *job.AttemptedAt
	}
	giveUp := started.Add(e.cfg.JobTimeout + (e.cfg.RescueAfter-e.cfg.JobTimeout)/2)
	delay := minDatabaseRetry
	for {
		// Longer than the commit's own timeout, so that a completion is
		// never abandoned while its batch may still commit.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), journalTimeout+time.Second)
		stop := context.AfterFunc(w.b.hardStopped(), cancel)
		err := w.b.complete(cctx, job, rec)
		stop()
		cancel()
		if err == nil {
			e.health.ok()
			return nil
		}
		e.health.fail(err)
		if time.Now().Add(delay).After(giveUp) || w.b.ping(ctx) == nil {
			return err
		}
		e.cfg.Logger.WarnContext(ctx, "bulk: the database is unavailable; holding an outcome until it is back",
			slog.String("run", job.Args.Run), slog.String("provider", job.Args.Provider), slog.String("error", err.Error()))
		select {
		case <-time.After(delay):
		case <-w.b.quit:
			return err
		case <-w.b.hardStopped().Done():
			return err
		}
		delay = min(2*delay, maxDatabaseRetry)
	}
}

// ping reports whether the database answers.
func (b *riverBackend[TTx, TDriver]) ping(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	return b.e.read.db.PingContext(pctx)
}

// completion is a final outcome waiting for its transaction.
type completion struct {
	ctx  context.Context // the job's context, without its cancellation: River's client is in it
	job  *river.Job[JobArgs]
	rec  record
	done chan error
}

// maxBatch bounds how many jobs one transaction completes.
const maxBatch = 128

// complete journals a job's final outcome and completes the job in one
// transaction. The transaction is shared: committer goroutines take every
// completion waiting at that moment into one transaction (a group commit),
// which saves a BEGIN, a COMMIT and a disk flush per job, and in SQLite,
// whose one connection serialises every write, keeps the writer busy with
// useful work. A job still gets its own journal row and its own
// river.JobCompleteTx; they just commit together.
func (b *riverBackend[TTx, TDriver]) complete(ctx context.Context, job *river.Job[JobArgs], rec record) error {
	b.once.Do(func() {
		for range b.committers {
			go b.commitLoop()
		}
	})
	c := &completion{ctx: ctx, job: job, rec: rec, done: make(chan error, 1)}
	select {
	case b.pending <- c:
	case <-b.quit:
		return errors.New("bulk: engine closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-c.done:
		return err
	case <-ctx.Done():
		// The batch may still commit; then the job stays completed, and
		// River's snooze of it finds it no longer running and does nothing.
		return ctx.Err()
	}
}

func (b *riverBackend[TTx, TDriver]) commitLoop() {
	for {
		var batch []*completion
		select {
		case c := <-b.pending:
			batch = append(batch, c)
		case <-b.quit:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case c := <-b.pending:
				batch = append(batch, c)
			default:
				break more
			}
		}
		err := b.commit(batch)
		if err != nil && len(batch) > 1 {
			// One bad job must not fail the others: commit each alone.
			for _, c := range batch {
				c.done <- b.commit([]*completion{c})
			}
			continue
		}
		for _, c := range batch {
			c.done <- err
		}
	}
}

func (b *riverBackend[TTx, TDriver]) commit(batch []*completion) error {
	ctx, cancel := context.WithTimeout(context.Background(), journalTimeout)
	defer cancel()
	return b.inTx(ctx, func(rtx TTx, t tx) error {
		jobs, recs := make([]JobArgs, len(batch)), make([]record, len(batch))
		for i, c := range batch {
			jobs[i], recs[i] = c.job.Args, c.rec
		}
		if err := b.e.d.finish(ctx, t, jobs, recs); err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		for _, c := range batch {
			if _, err := river.JobCompleteTx[TDriver](c.ctx, rtx, c.job); err != nil {
				return err
			}
		}
		return nil
	})
}

// close ends the committers; a second call does nothing.
func (b *riverBackend[TTx, TDriver]) close() { b.closeOnce.Do(func() { close(b.quit) }) }

// journalTimeout bounds a journal write that runs after the job's context
// ended.
const journalTimeout = 10 * time.Second

// note records a failed attempt on the pending row. It is best effort: the
// row is only informative until the job ends, and River keeps the error too.
func (w *jobWorker[TTx, TDriver]) note(ctx context.Context, job *river.Job[JobArgs], rec record, counted bool) {
	err := w.b.inTx(ctx, func(_ TTx, t tx) error { return w.b.e.d.note(ctx, t, job.Args, rec, counted) })
	if err != nil {
		w.b.e.health.fail(err)
		w.b.e.cfg.Logger.WarnContext(ctx, "bulk: could not note a failed attempt",
			slog.String("run", job.Args.Run), slog.String("provider", job.Args.Provider), slog.String("error", err.Error()))
		return
	}
	w.b.e.health.ok()
}

// sqlTx is a database/sql transaction (SQLite).
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

// pgxTx is a pgx transaction (Postgres).
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

func newSQLiteBackend(e *Engine, db *sql.DB) (backend, error) {
	return newBackend(e, riversqlite.New(db), func(ctx context.Context) (*sql.Tx, tx, error) {
		t, err := db.BeginTx(ctx, nil)
		if err != nil {
			return nil, nil, err
		}
		return t, sqlTx{t}, nil
	})
}

func newPostgresBackend(e *Engine, pool *pgxpool.Pool) (backend, error) {
	b, err := newBackend(e, riverpgxv5.New(pool), func(ctx context.Context) (pgx.Tx, tx, error) {
		t, err := pool.Begin(ctx)
		if err != nil {
			return nil, nil, err
		}
		return t, pgxTx{t}, nil
	})
	if err != nil {
		return nil, err
	}
	// Postgres takes several transactions at once; more committers keep
	// its connections busy.
	b.committers = 4
	// A session advisory lock, held on a connection of its own while the
	// migrations run on others.
	b.lock = func(ctx context.Context) (func(), error) {
		conn, err := pool.Acquire(ctx)
		if err != nil {
			return nil, err
		}
		key := "restrict_bulk_migrate:" + e.cfg.Schema
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtext($1))`, key); err != nil {
			conn.Release()
			return nil, err
		}
		return func() {
			_, _ = conn.Exec(context.Background(), `SELECT pg_advisory_unlock(hashtext($1))`, key)
			conn.Release()
		}, nil
	}
	return b, nil
}
