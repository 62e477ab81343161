// Package bulk restricts, lifts or checks thousands of customers at many
// providers durably: a run survives crashes, and several processes can
// share it.
//
// It is built on River (github.com/riverqueue/river), an existing job
// queue, not one of ours: by default on SQLite through River's riversqlite
// driver over modernc.org/sqlite (pure Go, no cgo), one file and one
// process; on Postgres through riverpgxv5 when several worker processes on
// several machines share the work.
//
// # The model
//
// A Subject is one customer: the caller's key for them and their ID at each
// provider. A Run has a name, an Op (restrict.OpRestrict, OpLift or
// OpStatus) and providers. Submit adds one River job per (run, subject, provider), in a
// queue per provider, and one pending row per job to the outcome journal;
// it streams subjects in batches and is idempotent (the journal's primary
// key and River's unique jobs both key on run, subject and provider).
//
// # What Submit refuses
//
// A run means one thing, and a report of it never claims what was not
// done:
//
//   - Input either database could not store as given is refused before
//     the batch holding it is stored, with a *SubjectError naming the
//     subject's position, its key and the field: keys are 1 to
//     MaxKeyBytes (200) bytes, IDs at most MaxIDBytes (256), both valid
//     UTF-8 without control characters (CheckKey, CheckID).
//   - A finished run (its submission completed and every job has a final
//     outcome: RunInfo.Finished) is not resumed: Submit fails with a
//     *RunFinishedError (ErrRunFinished) and adds nothing, unless
//     Run.AcceptFinished. To act again, submit under a new name.
//   - A run is never merged with a different one. Submitting a name that
//     exists with another action, another reason, or any subject whose IDs
//     differ (another ID, one added or removed, a subject missing, or a new
//     one once the run's submission had completed) fails with a
//     *ConflictError matching restrict.ErrConflict, and adds nothing: a
//     re-submission is checked and stored in one transaction. A new run is
//     stored a batch per transaction, so a key repeated with other IDs
//     stops it at that batch, keeping the batches before it; see Submit.
//
// Workers (Start) call each provider's restrict.Restrictor, registered by
// name with Register: jobs hold no credential. A final outcome is written to
// the journal in the same transaction that completes the job (one
// statement completing a batch of River's jobs, as river.JobCompleteTx
// would each), so the journal and the queue never disagree. The
// journal row says what happened where: target, action, state, result (ok,
// failed, unsupported), the error's class, code and scrubbed message, HTTP
// and job attempts, request ID, start and finish times.
//
// # Policy
//
// The error's class decides a job's fate: ErrRateLimited snoozes the job for
// the provider's RetryAfter and slows its limiter; ErrUnavailable (and a
// timeout) is retried with River's backoff (or Config.RetryPolicy) up to
// Config.MaxAttempts, then journaled as failed; ErrInvalidRequest,
// ErrUnauthorized, ErrForbidden, ErrNotFound and ErrConflict are journaled
// as failed at once; ErrUnsupported is journaled as unsupported. No job ends without a journal row: when the
// journal write itself fails, the job is snoozed and tried again later
// (the call is idempotent), instead of being left to River to discard.
//
// Per provider, Limits sets the concurrency (its queue's MaxWorkers) and a
// rate limit (golang.org/x/time/rate). The rate limit bounds HTTP
// requests, not calls: the limiter travels in each call's context
// (restrict.ContextWithLimiter), and the SDK waits on it before every
// request, its own retries included. The default concurrency is derived
// from Rate, so that the rate is reached. Limits.Rate says how limits add
// up over several worker processes.
//
// A journal row counts job attempts as River does, attempts cut off by a
// crash included, and the HTTP attempts each reported; an attempt that
// never reported (its worker died during the call) counts as one HTTP
// attempt, and Outcome.HTTPAttemptsLowerBound says so.
//
// # Crashes
//
// Kill a worker at any moment and start it again on the same database: the
// run completes, each (subject, provider) gets exactly one final outcome,
// and a provider is called again only for jobs that had not completed
// (a call whose answer was not yet journaled is made again; every queued
// action is idempotent). Jobs that were waiting resume as soon as a worker
// starts. Jobs that were in flight when the process died are "running" in
// River, and River's rescuer makes them available again after
// Config.RescueAfter (whose doc gives the timing); lower it and JobTimeout
// for faster recovery when calls are short.
//
// Engine.Orphaned tells an operator about such jobs while they wait: how
// many of a run's jobs are running with no live worker, and when the
// rescuer will give the first back.
//
// # Database outages
//
// A database that goes away (a restart, a failover, a network cut) is
// ridden out: Wait keeps asking with a backoff (100 ms doubling to 5 s)
// until its context ends; River's producers keep polling; a worker holding
// an outcome keeps trying to journal it while the database answers no
// ping, for up to halfway between JobTimeout and RescueAfter, after which
// the job is worked again later. Engine.DatabaseHealth says since when the
// database has been failing, for a progress display. Nothing is lost: a
// job whose completion River could not record stays running and is
// rescued.
//
// SQLite is for one worker process at a time (others may read progress);
// Postgres for any number. Submission is crash-safe too: a new run is
// committed a batch of subjects at a time, and submitting the same
// subjects again completes it.
//
// # Progress
//
// Progress, Outcomes, Run, Runs and Orphaned read the database, so any
// process can show a run's progress or report it; Subscribe gives the
// calling process live events of the jobs it works; Wait blocks until a
// run is finished; DatabaseHealth says whether the database answers.
// Progress counts the ok outcomes by the state the provider reported
// (Counts.Restricted, Active, Unknown). OpenReader opens a database for
// these reads only: no migration, no River client, nothing created (a
// missing database is ErrNoDatabase), SQLite read-only beside a worker.
//
// # Secrets and files
//
// Jobs and the journal hold no credential, but they hold every customer's
// IDs: Open creates a SQLite file 0600 whatever the umask (SQLite gives its
// -wal and -shm files the same mode). A Postgres DSN's password never
// appears in an error of Open or OpenReader; RedactDSN makes a DSN fit to
// print.
//
// # Teams with their own River
//
// AddWorkers and Queues put the bulk worker into a River client of the
// caller's own (same database, driver and schema), which then works the
// jobs Submit inserts. The worker's NextRetry follows Config.RetryPolicy,
// so that client spaces bulk's retries as the engine's own would.
//
// SubmitTx submits a run inside the caller's own transaction, as River's
// InsertTx: a pgx.Tx for a Postgres engine, a *sql.Tx for a SQLite one.
// The run, its journal rows and its jobs commit with the caller's own
// change, or not at all; a refused submission leaves the transaction as it
// found it. A Postgres *sql.Tx is not taken (see SubmitTx).
//
// With Config.SkipMigrations, opening the caller's pool or db migrates
// nothing: it checks that River's schema is at RiverSchemaVersion (8 with
// River v0.51.2, every migration of River's "main" line) and that the
// journal's tables are there, and fails with ErrNotMigrated naming what is
// missing. MigratePostgres and MigrateSQLite run bulk's migrations, River's
// and the journal's, from the caller's own migration step.
package bulk
