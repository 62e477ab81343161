package bulk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/restrictkit/restrict"
)

// journalSchema is the journal's DDL, run idempotently on every Open; ts
// is the database's timestamp type.
func journalSchema(ts string) []string {
	return []string{
		`CREATE TABLE IF NOT EXISTS {p}restrict_bulk_run (
			name         TEXT PRIMARY KEY,
			action       TEXT NOT NULL,
			reason       TEXT NOT NULL DEFAULT '',
			providers    TEXT NOT NULL DEFAULT '',
			subjects     BIGINT NOT NULL DEFAULT 0,
			jobs         BIGINT NOT NULL DEFAULT 0,
			created_at   ` + ts + ` NOT NULL,
			submitted_at ` + ts + `,
			submitted_by TEXT NOT NULL DEFAULT ''
		)`,
		// One row per (run, subject, provider), created pending when the job
		// is submitted and finished in the transaction that completes it.
		`CREATE TABLE IF NOT EXISTS {p}restrict_bulk_outcome (
			run             TEXT NOT NULL,
			subject         TEXT NOT NULL,
			provider        TEXT NOT NULL,
			target          TEXT NOT NULL,
			action          TEXT NOT NULL,
			result          TEXT NOT NULL DEFAULT 'pending',
			state           TEXT NOT NULL DEFAULT '',
			provider_action TEXT NOT NULL DEFAULT '',
			error_class     TEXT NOT NULL DEFAULT '',
			error_code      TEXT NOT NULL DEFAULT '',
			error_message   TEXT NOT NULL DEFAULT '',
			http_status     INTEGER NOT NULL DEFAULT 0,
			http_attempts   INTEGER NOT NULL DEFAULT 0,
			job_attempts    INTEGER NOT NULL DEFAULT 0,
			http_attempts_known INTEGER NOT NULL DEFAULT 0,
			request_id      TEXT NOT NULL DEFAULT '',
			started_at      ` + ts + `,
			finished_at     ` + ts + `,
			PRIMARY KEY (run, subject, provider)
		)`,
		// Counts group by (provider, result, state) within a run, from this
		// index alone. It replaces restrict_bulk_outcome_progress, (run,
		// provider, result), whose every use it serves.
		`CREATE INDEX IF NOT EXISTS restrict_bulk_outcome_counts ON {p}restrict_bulk_outcome (run, provider, result, state)`,
		`DROP INDEX IF EXISTS {p}restrict_bulk_outcome_progress`,
		// Whether a run has a pending job, and when its last outcome of each
		// result was, each in one index lookup: a run's FinishedAt.
		`CREATE INDEX IF NOT EXISTS restrict_bulk_outcome_finished ON {p}restrict_bulk_outcome (run, result, finished_at)`,
		// Linking a webhook event to the subjects it concerns looks their
		// outcomes up by the event's targets, at any journal size.
		`CREATE INDEX IF NOT EXISTS restrict_bulk_outcome_target ON {p}restrict_bulk_outcome (provider, target)`,
		// Verified webhook events, stored once by id (see webhook.go);
		// funds is 1 for an event reporting money received.
		`CREATE TABLE IF NOT EXISTS {p}restrict_bulk_webhook_event (
			id          TEXT PRIMARY KEY,
			provider    TEXT NOT NULL,
			type        TEXT NOT NULL DEFAULT '',
			amount      TEXT NOT NULL DEFAULT '',
			currency    TEXT NOT NULL DEFAULT '',
			status      TEXT NOT NULL DEFAULT '',
			funds       INTEGER NOT NULL DEFAULT 0,
			received_at ` + ts + ` NOT NULL
		)`,
		// The targets an event concerns, each in the form a subjects file
		// may give it.
		`CREATE TABLE IF NOT EXISTS {p}restrict_bulk_webhook_target (
			event_id TEXT NOT NULL,
			provider TEXT NOT NULL,
			target   TEXT NOT NULL,
			PRIMARY KEY (event_id, target)
		)`,
		`CREATE INDEX IF NOT EXISTS restrict_bulk_webhook_target_lookup ON {p}restrict_bulk_webhook_target (provider, target)`,
		// A provider's limits, shared by every process working the
		// database (see limits.go). slowed is the share of rate in force
		// after the provider's 429s; next_slot the time of the next
		// request slot that no process has leased.
		`CREATE TABLE IF NOT EXISTS {p}restrict_bulk_limit (
			provider    TEXT PRIMARY KEY,
			rate        DOUBLE PRECISION NOT NULL DEFAULT 0,
			concurrency INTEGER NOT NULL DEFAULT 0,
			slowed      DOUBLE PRECISION NOT NULL DEFAULT 1,
			slowed_at   ` + ts + `,
			next_slot   ` + ts + `,
			updated_at  ` + ts + ` NOT NULL,
			updated_by  TEXT NOT NULL DEFAULT ''
		)`,
		// The processes working a provider, each seen at its last poll:
		// its share of the provider's concurrency.
		`CREATE TABLE IF NOT EXISTS {p}restrict_bulk_limit_holder (
			provider  TEXT NOT NULL,
			holder    TEXT NOT NULL,
			joined_at ` + ts + ` NOT NULL,
			seen_at   ` + ts + ` NOT NULL,
			PRIMARY KEY (provider, holder)
		)`,
	}
}

// addedColumn is a column that a later version put in a journal table:
// an older database gets it on migration, with backfill (when set) run
// once, right after it is added, to give existing rows their value.
type addedColumn struct {
	table, column, ddl, backfill string
}

// addedColumns are the journal's columns added after its tables were
// first released, in the order they were added.
//
// http_attempts_known counts the job attempts that reported their HTTP
// attempts. Rows written before it existed get it from what they show: a
// row with at least one HTTP attempt per job attempt is taken as complete,
// any other as a lower bound. submitted_by is empty for runs submitted
// before it existed: nobody was recorded.
var addedColumns = []addedColumn{
	{"restrict_bulk_outcome", "http_attempts_known", "INTEGER NOT NULL DEFAULT 0",
		`UPDATE {p}restrict_bulk_outcome SET http_attempts_known = job_attempts WHERE http_attempts >= job_attempts`},
	{"restrict_bulk_run", "submitted_by", "TEXT NOT NULL DEFAULT ''", ""},
}

// migrateJournal creates the journal's tables in tx (ts is the database's
// timestamp type) and adds addedColumns to a database created before
// them, idempotently: SQLite has no ADD COLUMN IF NOT EXISTS, so has looks
// each column up first, in the transaction that adds it.
func migrateJournal(ctx context.Context, tx execer, sq journalSQL, ts string, has func(table, column string) (bool, error)) error {
	for _, q := range journalSchema(ts) {
		if _, err := tx.exec(ctx, sq.bind(q)); err != nil {
			return fmt.Errorf("journal: %w", err)
		}
	}
	for _, c := range addedColumns {
		ok, err := has(c.table, c.column)
		if err == nil && !ok {
			_, err = tx.exec(ctx, sq.bind(`ALTER TABLE {p}`+c.table+` ADD COLUMN `+c.column+` `+c.ddl))
			if err == nil && c.backfill != "" {
				_, err = tx.exec(ctx, sq.bind(c.backfill))
			}
		}
		if err != nil {
			return fmt.Errorf("journal: %s.%s: %w", c.table, c.column, err)
		}
	}
	return nil
}

// keys runs a query returning two text columns, such as (subject,
// provider), as a set.
func keys(ctx context.Context, tx execer, q string, args ...any) (map[[2]string]bool, error) {
	out := make(map[[2]string]bool)
	err := tx.query(ctx, q, args, func(scan func(...any) error) error {
		var k [2]string
		if err := scan(&k[0], &k[1]); err != nil {
			return err
		}
		out[k] = true
		return nil
	})
	return out, err
}

// targetsScanner is the map storedTargets returns, and the row function
// that fills it from (subject, provider, target) rows.
func targetsScanner() (map[string]map[string]string, func(scan func(...any) error) error) {
	out := make(map[string]map[string]string)
	return out, func(scan func(...any) error) error {
		var subject, provider, target string
		if err := scan(&subject, &provider, &target); err != nil {
			return err
		}
		if out[subject] == nil {
			out[subject] = make(map[string]string)
		}
		out[subject][provider] = target
		return nil
	}
}

// pendingRow is one journal row created at submission. A row that exists
// already (a re-submission) gets no new job, so the journal, which the job
// cleaner never deletes, is what makes submission idempotent, and River's
// unique jobs guard the same (run, subject, provider) a second time.
type pendingRow struct {
	subject, provider, target string
}

// record is what a job attempt writes to its journal row.
type record struct {
	result         OutcomeResult
	state          string
	providerAction string
	class, code    string
	message        string
	httpStatus     int
	httpAttempts   int
	jobAttempt     int
	requestID      string
	started        time.Time
	finished       time.Time // zero for a retry
}

// finishInsert and finishUpsert surround each database's rows of final
// outcomes (journalSQL.finish). The upsert only replaces pending rows, so
// an outcome is written once: a job worked again after its completion was
// lost cannot overwrite it. It inserts a row where there is none (a job
// inserted by a team's own River client rather than by Submit), so that no
// outcome goes unjournaled.
//
// job_attempts is River's count, which includes attempts cut off by a
// crash: those sent their call but never reported its HTTP attempts, so
// each counts as one HTTP attempt here, and http_attempts_known, short of
// job_attempts, marks the sum as a lower bound.
const (
	finishInsert = `INSERT INTO {p}restrict_bulk_outcome (run, subject, provider, target, action,
		result, state, provider_action, error_class, error_code, error_message,
		http_status, http_attempts, job_attempts, request_id, started_at, finished_at, http_attempts_known) `
	finishUpsert = ` ON CONFLICT (run, subject, provider) DO UPDATE SET
		result = excluded.result, state = excluded.state, provider_action = excluded.provider_action,
		error_class = excluded.error_class, error_code = excluded.error_code, error_message = excluded.error_message,
		http_status = excluded.http_status,
		http_attempts = restrict_bulk_outcome.http_attempts + excluded.http_attempts + CASE
			WHEN excluded.job_attempts > restrict_bulk_outcome.http_attempts_known + 1
			THEN excluded.job_attempts - restrict_bulk_outcome.http_attempts_known - 1 ELSE 0 END,
		http_attempts_known = restrict_bulk_outcome.http_attempts_known + 1,
		job_attempts = excluded.job_attempts, request_id = excluded.request_id,
		started_at = COALESCE(restrict_bulk_outcome.started_at, excluded.started_at), finished_at = excluded.finished_at
		WHERE restrict_bulk_outcome.result = 'pending'`
)

// note records on the pending row an attempt that did not end the job: the
// last error (when there is one) and when work began, so progress can show
// why a job is still pending, and its HTTP attempts. counted says whether
// River counts the attempt (a retry) or not (a snooze: rate limited, or the
// worker stopping); only a counted one sets job_attempts and adds to
// http_attempts_known.
func note(ctx context.Context, tx execer, sq journalSQL, a JobArgs, r record, counted bool) error {
	if !counted {
		set := `http_attempts = http_attempts + ?, started_at = COALESCE(started_at, ?)`
		args := []any{r.httpAttempts, r.started.UTC()}
		if r.class != "" {
			set = `error_class = ?, error_code = ?, error_message = ?, http_status = ?, ` + set
			args = append([]any{r.class, r.code, r.message, r.httpStatus}, args...)
		}
		_, err := tx.exec(ctx, sq.bind(`UPDATE {p}restrict_bulk_outcome SET `+set+`
			WHERE run = ? AND subject = ? AND provider = ? AND result = 'pending'`),
			append(args, a.Run, a.Subject, a.Provider)...)
		return err
	}
	_, err := tx.exec(ctx, sq.bind(`UPDATE {p}restrict_bulk_outcome SET
		error_class = ?, error_code = ?, error_message = ?, http_status = ?,
		http_attempts = http_attempts + ?, http_attempts_known = http_attempts_known + 1,
		job_attempts = ?, started_at = COALESCE(started_at, ?)
		WHERE run = ? AND subject = ? AND provider = ? AND result = 'pending'`),
		r.class, r.code, r.message, r.httpStatus, r.httpAttempts, r.jobAttempt, r.started.UTC(),
		a.Run, a.Subject, a.Provider)
	return err
}

// reader runs the read side on a *sql.DB of either database, so that any
// process can show progress, list runs and report.
type reader struct {
	sq journalSQL
	db *sql.DB
}

func (r reader) progress(ctx context.Context, run string) (*Progress, error) {
	rows, err := r.db.QueryContext(ctx, r.sq.bind(`SELECT provider, result, state, count(*) FROM {p}restrict_bulk_outcome WHERE run = ? GROUP BY provider, result, state ORDER BY provider`), run)
	if err != nil {
		return nil, fmt.Errorf("bulk: progress: %w", err)
	}
	defer rows.Close()
	p := &Progress{Run: run}
	for rows.Next() {
		var provider, result, state string
		var n int64
		if err := rows.Scan(&provider, &result, &state, &n); err != nil {
			return nil, fmt.Errorf("bulk: progress: %w", err)
		}
		if len(p.Providers) == 0 || p.Providers[len(p.Providers)-1].Provider != provider {
			p.Providers = append(p.Providers, Counts{Provider: provider})
		}
		p.Providers[len(p.Providers)-1].add(OutcomeResult(result), restrict.State(state), n)
		p.All.add(OutcomeResult(result), restrict.State(state), n)
	}
	return p, rows.Err()
}

// anyPending reports whether run has a job without a final outcome.
func (r reader) anyPending(ctx context.Context, run string) (bool, error) {
	var n int
	err := r.db.QueryRowContext(ctx, r.sq.bind(`SELECT count(*) FROM (SELECT 1 FROM {p}restrict_bulk_outcome WHERE run = ? AND result = 'pending' LIMIT 1) AS p`), run).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("bulk: progress: %w", err)
	}
	return n > 0, nil
}

// outcomeColumns are what a page reads; not the run, which its query names.
const outcomeColumns = `subject, provider, target, action, result, state, provider_action,
	error_class, error_code, error_message, http_status, http_attempts, job_attempts, request_id,
	started_at, finished_at, http_attempts_known`

func scanOutcome(s interface{ Scan(...any) error }, run string) (Outcome, error) {
	o := Outcome{Run: run}
	var class, code, msg string
	var started, finished sql.NullTime
	var known int
	err := s.Scan(&o.Subject, &o.Provider, &o.Target, &o.Op, &o.Result, &o.State, &o.ProviderAction,
		&class, &code, &msg, &o.HTTPStatus, &o.HTTPAttempts, &o.JobAttempts, &o.RequestID, &started, &finished, &known)
	if err != nil {
		return o, err
	}
	o.HTTPAttemptsLowerBound = o.JobAttempts > known
	if class != "" || code != "" || msg != "" {
		o.Error = &OutcomeError{Class: class, Code: code, Message: msg}
	}
	if started.Valid {
		o.StartedAt = started.Time.UTC()
	}
	if finished.Valid {
		o.FinishedAt = finished.Time.UTC()
	}
	return o, nil
}

// outcomes pages through the journal by its key, a page per query, so that
// no cursor stays open between pages: with SQLite's single connection an
// open cursor would hold up every worker for as long as the caller reads.
// The next page is read while the caller takes this one, so that reading
// the database and writing a report use two cores instead of taking turns.
func (r reader) outcomes(ctx context.Context, f Filter, page int) iter.Seq2[Outcome, error] {
	return func(yield func(Outcome, error) bool) {
		if f.Run == "" {
			yield(Outcome{}, errors.New("bulk: Filter.Run is required"))
			return
		}
		// Ends a read ahead that the caller no longer wants.
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		type result struct {
			rows []Outcome
			err  error
		}
		read := func(after *Outcome) <-chan result {
			c := make(chan result, 1)
			go func() {
				q, args := outcomesPage(f, after, page)
				rows, err := r.page(ctx, f.Run, q, args, page)
				c <- result{rows, err}
			}()
			return c
		}
		next := read(nil)
		for next != nil {
			res := <-next
			if res.err != nil {
				yield(Outcome{}, res.err)
				return
			}
			next = nil
			if len(res.rows) == page {
				next = read(&res.rows[len(res.rows)-1])
			}
			for _, o := range res.rows {
				if !yield(o, nil) {
					return
				}
			}
		}
	}
}

// pageRows is how many outcomes one query reads. Each page is a query of
// its own (no cursor stays open between pages, see outcomes), and with
// SQLite each query is prepared anew: fewer, larger pages cost less per
// row, at a few hundred kilobytes per page in memory.
const pageRows = 2000

// outcomesPage is the query of a page of outcomes: those f selects, after
// the row after (the first page when nil), at most page of them. The key
// is compared as a row value, (subject, provider) > (?, ?), which both
// databases read as a range of the primary key starting at the row, so
// that every page costs the same. "subject > ? OR (subject = ? AND
// provider > ?)" means the same, but SQLite searches the key by run alone
// for it, reading the run from its start on every page, and Postgres
// sorts the rest of the run: a report was quadratic.
func outcomesPage(f Filter, after *Outcome, page int) (string, []any) {
	q := `SELECT ` + outcomeColumns + ` FROM {p}restrict_bulk_outcome WHERE run = ?`
	args := []any{f.Run}
	if f.Provider != "" {
		q += ` AND provider = ?`
		args = append(args, f.Provider)
	}
	if f.Result != "" {
		q += ` AND result = ?`
		args = append(args, string(f.Result))
	}
	if f.State != "" {
		q += ` AND state = ?`
		args = append(args, string(f.State))
	}
	if f.Class != "" {
		q += ` AND error_class = ?`
		args = append(args, f.Class)
	}
	if f.SubjectPrefix != "" {
		// Both databases count substr's length in characters, as
		// RuneCountInString does; LIKE would need its wildcards escaped.
		q += ` AND substr(subject, 1, ?) = ?`
		args = append(args, utf8.RuneCountInString(f.SubjectPrefix), f.SubjectPrefix)
	}
	if after == nil && f.After != nil {
		after = &Outcome{Subject: f.After.Subject, Provider: f.After.Provider}
	}
	if after != nil {
		q += ` AND (subject, provider) > (?, ?)`
		args = append(args, after.Subject, after.Provider)
	}
	return q + ` ORDER BY subject, provider LIMIT ` + strconv.Itoa(page), args
}

func (r reader) page(ctx context.Context, run, q string, args []any, size int) ([]Outcome, error) {
	rows, err := r.db.QueryContext(ctx, r.sq.bind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("bulk: outcomes: %w", err)
	}
	defer rows.Close()
	out := make([]Outcome, 0, size)
	for rows.Next() {
		o, err := scanOutcome(rows, run)
		if err != nil {
			return nil, fmt.Errorf("bulk: outcomes: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// runSelect reads runs with their FinishedAt: null while the submission
// is incomplete or a job is pending, else the latest outcome's time (the
// submission's for a run without jobs). Each subquery is one lookup in
// restrict_bulk_outcome_finished, so reading a run costs the same for ten
// jobs or a million.
const runSelect = `SELECT r.name, r.action, r.reason, r.providers, r.subjects, r.jobs, r.created_at, r.submitted_at, r.submitted_by,
	CASE WHEN r.submitted_at IS NULL
		OR EXISTS (SELECT 1 FROM {p}restrict_bulk_outcome o WHERE o.run = r.name AND o.result = 'pending') THEN NULL
	ELSE COALESCE((SELECT max(m) FROM (
		SELECT max(finished_at) AS m FROM {p}restrict_bulk_outcome o WHERE o.run = r.name AND o.result = 'ok'
		UNION ALL SELECT max(finished_at) FROM {p}restrict_bulk_outcome o WHERE o.run = r.name AND o.result = 'failed'
		UNION ALL SELECT max(finished_at) FROM {p}restrict_bulk_outcome o WHERE o.run = r.name AND o.result = 'unsupported'
	) AS last), r.submitted_at) END
	FROM {p}restrict_bulk_run r`

func scanRun(s func(dest ...any) error) (RunInfo, error) {
	var ri RunInfo
	var providers string
	var created, submitted, finished dbTime
	if err := s(&ri.Name, &ri.Op, &ri.Reason, &providers, &ri.Subjects, &ri.Jobs, &created, &submitted, &ri.SubmittedBy, &finished); err != nil {
		return ri, err
	}
	ri.Providers = []string{}
	if providers != "" {
		ri.Providers = strings.Split(providers, ",")
	}
	ri.CreatedAt, ri.SubmittedAt, ri.FinishedAt = created.t, submitted.t, finished.t
	return ri, nil
}

// dbTime scans a timestamp of either database, null as the zero time:
// Postgres, and a TIMESTAMP column in SQLite, give a time.Time, but in
// SQLite an expression (max, CASE) has no declared type and gives the text
// modernc.org/sqlite stored.
type dbTime struct{ t time.Time }

// sqliteTimeLayouts are the forms modernc.org/sqlite writes a time.Time
// in (Go's String form by default) and those it reads.
var sqliteTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

func (d *dbTime) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		d.t = time.Time{}
		return nil
	case time.Time:
		d.t = v.UTC()
		return nil
	case []byte:
		return d.Scan(string(v))
	case string:
		s, _, _ := strings.Cut(v, " m=") // a monotonic clock reading
		for _, layout := range sqliteTimeLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				d.t = t.UTC()
				return nil
			}
		}
		return fmt.Errorf("bulk: unreadable time %q", v)
	}
	return fmt.Errorf("bulk: unreadable time of type %T", v)
}

func (r reader) run(ctx context.Context, name string) (*RunInfo, error) {
	ri, err := scanRun(r.db.QueryRowContext(ctx, r.sq.bind(runSelect+` WHERE r.name = ?`), name).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %q", ErrRunNotFound, name)
	}
	if err != nil {
		return nil, fmt.Errorf("bulk: run %q: %w", name, err)
	}
	return &ri, nil
}

func (r reader) runs(ctx context.Context) ([]RunInfo, error) {
	rows, err := r.db.QueryContext(ctx, r.sq.bind(runSelect+` ORDER BY r.created_at, r.name`))
	if err != nil {
		return nil, fmt.Errorf("bulk: runs: %w", err)
	}
	defer rows.Close()
	var out []RunInfo
	for rows.Next() {
		ri, err := scanRun(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("bulk: runs: %w", err)
		}
		out = append(out, ri)
	}
	return out, rows.Err()
}
