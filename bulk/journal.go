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

	"github.com/restrictkit/restrict"
)

// dialect is what differs between SQLite and Postgres in the journal's SQL:
// placeholders, the timestamp type, and the schema prefix. The statements
// are otherwise the same text for both, written with "?" placeholders.
type dialect struct {
	postgres bool
	prefix   string // `"schema".` or ""
}

func (d dialect) bind(q string) string {
	q = strings.ReplaceAll(q, "{p}", d.prefix)
	if !d.postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
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

// schema is the journal's DDL, run idempotently on every Open. Times are
// timestamptz in Postgres; SQLite has no time type, and a column declared
// TIMESTAMP is read back as a time.Time by modernc.org/sqlite.
func (d dialect) schema() []string {
	ts := "TIMESTAMP"
	if d.postgres {
		ts = "TIMESTAMPTZ"
	}
	return []string{
		`CREATE TABLE IF NOT EXISTS {p}restrict_bulk_run (
			name         TEXT PRIMARY KEY,
			action       TEXT NOT NULL,
			reason       TEXT NOT NULL DEFAULT '',
			providers    TEXT NOT NULL DEFAULT '',
			subjects     BIGINT NOT NULL DEFAULT 0,
			jobs         BIGINT NOT NULL DEFAULT 0,
			created_at   ` + ts + ` NOT NULL,
			submitted_at ` + ts + `
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
	}
}

// migrateColumns adds the columns that later versions put in the journal to
// a database created before them, idempotently: SQLite has no ADD COLUMN
// IF NOT EXISTS, so the column is looked up first, in the transaction that
// adds it.
//
// http_attempts_known counts the job attempts that reported their HTTP
// attempts. Rows written before it existed get it from what they show: a
// row with at least one HTTP attempt per job attempt is taken as complete,
// any other as a lower bound.
func (d dialect) migrateColumns(ctx context.Context, tx execer, schema string) error {
	q := `SELECT name, type FROM pragma_table_info('restrict_bulk_outcome') WHERE name = 'http_attempts_known'`
	args := []any{}
	if d.postgres {
		q = `SELECT column_name::text, data_type::text FROM information_schema.columns
			WHERE table_schema = COALESCE(NULLIF(?::text, ''), current_schema()) AND table_name = 'restrict_bulk_outcome' AND column_name = 'http_attempts_known'`
		args = append(args, schema)
	}
	got, err := keys(ctx, tx, d.bind(q), args...)
	if err != nil || len(got) > 0 {
		return err
	}
	if _, err := tx.exec(ctx, d.bind(`ALTER TABLE {p}restrict_bulk_outcome ADD COLUMN http_attempts_known INTEGER NOT NULL DEFAULT 0`)); err != nil {
		return err
	}
	_, err = tx.exec(ctx, d.bind(`UPDATE {p}restrict_bulk_outcome SET http_attempts_known = job_attempts WHERE http_attempts >= job_attempts`))
	return err
}

// execer is a transaction of either driver, reduced to what the journal
// needs: pgx.Tx and *sql.Tx both fit behind it.
type execer interface {
	exec(ctx context.Context, q string, args ...any) (int64, error)
	// query runs a query and calls row for each row it returns, with the
	// row's Scan.
	query(ctx context.Context, q string, args []any, row func(scan func(dest ...any) error) error) error
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

// pendingRow is one journal row created at submission.
type pendingRow struct {
	subject, provider, target string
}

// insertPending creates the pending rows of a batch and returns those that
// are new: a row that exists already (a re-submission) gets no new job, so
// the journal, which the job cleaner never deletes, is what makes
// submission idempotent, and River's unique jobs guard the same (run,
// subject, provider) a second time.
func (d dialect) insertPending(ctx context.Context, tx execer, run string, action Action, rows []pendingRow) (map[[2]string]bool, error) {
	if d.postgres {
		// One statement text whatever the batch's size: pgx prepares and
		// caches every distinct text per connection, and a VALUES list per
		// size would fill that cache with hundreds of statements.
		subjects, providers, targets := make([]string, len(rows)), make([]string, len(rows)), make([]string, len(rows))
		for i, r := range rows {
			subjects[i], providers[i], targets[i] = r.subject, r.provider, r.target
		}
		created, err := keys(ctx, tx, d.bind(`INSERT INTO {p}restrict_bulk_outcome (run, subject, provider, target, action)
			SELECT ?, s, p, t, ? FROM unnest(?::text[], ?::text[], ?::text[]) AS u(s, p, t)
			ON CONFLICT (run, subject, provider) DO NOTHING RETURNING subject, provider`),
			run, string(action), subjects, providers, targets)
		if err != nil {
			return nil, fmt.Errorf("bulk: journal: %w", err)
		}
		return created, nil
	}
	const cols = 5
	created := make(map[[2]string]bool, len(rows))
	// 1,000 rows x 5 columns stay far below both databases' limit on bound
	// parameters (32,766 in SQLite, 65,535 in Postgres).
	for start := 0; start < len(rows); start += 1000 {
		chunk := rows[start:min(start+1000, len(rows))]
		var b strings.Builder
		b.WriteString(`INSERT INTO {p}restrict_bulk_outcome (run, subject, provider, target, action) VALUES `)
		args := make([]any, 0, len(chunk)*cols)
		for i, r := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?,?,?,?,?)")
			args = append(args, run, r.subject, r.provider, r.target, string(action))
		}
		b.WriteString(` ON CONFLICT (run, subject, provider) DO NOTHING RETURNING subject, provider`)
		got, err := keys(ctx, tx, d.bind(b.String()), args...)
		if err != nil {
			return nil, fmt.Errorf("bulk: journal: %w", err)
		}
		for k := range got {
			created[k] = true
		}
	}
	return created, nil
}

// record is what a job attempt writes to its journal row.
type record struct {
	result         Result
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

// finish writes the final outcomes of a batch of jobs in one statement
// (one parse in SQLite, one round trip in Postgres). It only replaces
// pending rows, so an outcome is written once: a job worked again after its
// completion was lost cannot overwrite it. It inserts a row where there is
// none (a job inserted by a team's own River client rather than by
// Submit), so that no outcome goes unjournaled.
//
// job_attempts is River's count, which includes attempts cut off by a
// crash: those sent their call but never reported its HTTP attempts, so
// each counts as one HTTP attempt here, and http_attempts_known, short of
// job_attempts, marks the sum as a lower bound.
func (d dialect) finish(ctx context.Context, tx execer, jobs []JobArgs, recs []record) error {
	const upsert = ` ON CONFLICT (run, subject, provider) DO UPDATE SET
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
	const insert = `INSERT INTO {p}restrict_bulk_outcome (run, subject, provider, target, action,
		result, state, provider_action, error_class, error_code, error_message,
		http_status, http_attempts, job_attempts, request_id, started_at, finished_at, http_attempts_known) `
	if d.postgres {
		// Columns as arrays: one statement text for any batch size (see
		// insertPending).
		n := len(jobs)
		var text [12][]string
		for i := range text {
			text[i] = make([]string, n)
		}
		ints := [4][]int32{make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)}
		times := [2][]time.Time{make([]time.Time, n), make([]time.Time, n)}
		for i, a := range jobs {
			r := recs[i]
			for j, v := range []string{a.Run, a.Subject, a.Provider, a.Target, string(a.Action),
				string(r.result), r.state, r.providerAction, r.class, r.code, r.message, r.requestID} {
				text[j][i] = v
			}
			ints[0][i], ints[1][i], ints[2][i], ints[3][i] = int32(r.httpStatus), int32(r.httpAttempts), int32(r.jobAttempt), 1
			times[0][i], times[1][i] = r.started.UTC(), r.finished.UTC()
		}
		_, err := tx.exec(ctx, d.bind(insert+`SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
			?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
			?::int[], ?::int[], ?::int[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::int[])`+upsert),
			text[0], text[1], text[2], text[3], text[4], text[5], text[6], text[7], text[8], text[9], text[10],
			ints[0], ints[1], ints[2], text[11], times[0], times[1], ints[3])
		return err
	}
	const cols = 18
	var b strings.Builder
	b.WriteString(insert + `VALUES `)
	args := make([]any, 0, len(jobs)*cols)
	for i, a := range jobs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
		r := recs[i]
		args = append(args, a.Run, a.Subject, a.Provider, a.Target, string(a.Action),
			string(r.result), r.state, r.providerAction, r.class, r.code, r.message,
			r.httpStatus, r.httpAttempts, r.jobAttempt, r.requestID, r.started.UTC(), r.finished.UTC(), 1)
	}
	b.WriteString(upsert)
	_, err := tx.exec(ctx, d.bind(b.String()), args...)
	return err
}

// note records on the pending row an attempt that did not end the job: the
// last error (when there is one) and when work began, so progress can show
// why a job is still pending, and its HTTP attempts. counted says whether
// River counts the attempt (a retry) or not (a snooze: rate limited, or the
// worker stopping); only a counted one sets job_attempts and adds to
// http_attempts_known.
func (d dialect) note(ctx context.Context, tx execer, a JobArgs, r record, counted bool) error {
	if !counted {
		set := `http_attempts = http_attempts + ?, started_at = COALESCE(started_at, ?)`
		args := []any{r.httpAttempts, r.started.UTC()}
		if r.class != "" {
			set = `error_class = ?, error_code = ?, error_message = ?, http_status = ?, ` + set
			args = append([]any{r.class, r.code, r.message, r.httpStatus}, args...)
		}
		_, err := tx.exec(ctx, d.bind(`UPDATE {p}restrict_bulk_outcome SET `+set+`
			WHERE run = ? AND subject = ? AND provider = ? AND result = 'pending'`),
			append(args, a.Run, a.Subject, a.Provider)...)
		return err
	}
	_, err := tx.exec(ctx, d.bind(`UPDATE {p}restrict_bulk_outcome SET
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
	d  dialect
	db *sql.DB
}

func (r reader) progress(ctx context.Context, run string) (*Progress, error) {
	rows, err := r.db.QueryContext(ctx, r.d.bind(`SELECT provider, result, state, count(*) FROM {p}restrict_bulk_outcome WHERE run = ? GROUP BY provider, result, state ORDER BY provider`), run)
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
		p.Providers[len(p.Providers)-1].add(Result(result), restrict.State(state), n)
		p.All.add(Result(result), restrict.State(state), n)
	}
	return p, rows.Err()
}

// anyPending reports whether run has a job without a final outcome.
func (r reader) anyPending(ctx context.Context, run string) (bool, error) {
	var n int
	err := r.db.QueryRowContext(ctx, r.d.bind(`SELECT count(*) FROM (SELECT 1 FROM {p}restrict_bulk_outcome WHERE run = ? AND result = 'pending' LIMIT 1) AS p`), run).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("bulk: progress: %w", err)
	}
	return n > 0, nil
}

const outcomeColumns = `run, subject, provider, target, action, result, state, provider_action,
	error_class, error_code, error_message, http_status, http_attempts, job_attempts, request_id,
	started_at, finished_at, http_attempts_known`

func scanOutcome(s interface{ Scan(...any) error }) (Outcome, error) {
	var o Outcome
	var class, code, msg string
	var started, finished sql.NullTime
	var known int
	err := s.Scan(&o.Run, &o.Subject, &o.Provider, &o.Target, &o.Action, &o.Result, &o.State, &o.ProviderAction,
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
func (r reader) outcomes(ctx context.Context, f Filter, page int) iter.Seq2[Outcome, error] {
	return func(yield func(Outcome, error) bool) {
		if f.Run == "" {
			yield(Outcome{}, errors.New("bulk: Filter.Run is required"))
			return
		}
		var lastSubject, lastProvider string
		first := true
		for {
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
			if !first {
				q += ` AND (subject > ? OR (subject = ? AND provider > ?))`
				args = append(args, lastSubject, lastSubject, lastProvider)
			}
			q += ` ORDER BY subject, provider LIMIT ` + strconv.Itoa(page)
			batch, err := r.page(ctx, q, args)
			if err != nil {
				yield(Outcome{}, err)
				return
			}
			for _, o := range batch {
				if !yield(o, nil) {
					return
				}
			}
			if len(batch) < page {
				return
			}
			first = false
			lastSubject, lastProvider = batch[len(batch)-1].Subject, batch[len(batch)-1].Provider
		}
	}
}

func (r reader) page(ctx context.Context, q string, args []any) ([]Outcome, error) {
	rows, err := r.db.QueryContext(ctx, r.d.bind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("bulk: outcomes: %w", err)
	}
	defer rows.Close()
	var out []Outcome
	for rows.Next() {
		o, err := scanOutcome(rows)
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
const runSelect = `SELECT r.name, r.action, r.reason, r.providers, r.subjects, r.jobs, r.created_at, r.submitted_at,
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
	if err := s(&ri.Name, &ri.Action, &ri.Reason, &providers, &ri.Subjects, &ri.Jobs, &created, &submitted, &finished); err != nil {
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
	ri, err := scanRun(r.db.QueryRowContext(ctx, r.d.bind(runSelect+` WHERE r.name = ?`), name).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %q", ErrRunNotFound, name)
	}
	if err != nil {
		return nil, fmt.Errorf("bulk: run %q: %w", name, err)
	}
	return &ri, nil
}

func (r reader) runs(ctx context.Context) ([]RunInfo, error) {
	rows, err := r.db.QueryContext(ctx, r.d.bind(runSelect+` ORDER BY r.created_at, r.name`))
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
