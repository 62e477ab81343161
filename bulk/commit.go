package bulk

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// committer completes jobs with their final outcomes, in transactions
// shared between the jobs finishing at the same time: a group commit.
// Committer goroutines take every completion waiting at that moment into
// one transaction, which saves a BEGIN, a COMMIT and a disk flush per job,
// and in SQLite, whose one connection serialises every write, keeps the
// writer busy with useful work. A job still gets its own journal row and
// its own completion; they just commit together.
//
// The jobs are completed by one statement per batch (journalSQL.completeJobs),
// as river.JobCompleteTx would complete each: state completed, finalized_at
// now, if still running. River's JobCompleteTx costs a statement per job,
// which SQLite's driver prepares anew each time.
type committer[TTx any, TDriver riverdriver.Driver[TTx]] struct {
	n      int // goroutines completing jobs
	inTx   func(ctx context.Context, fn func(TTx, execer) error) error
	finish func(ctx context.Context, tx execer, jobs []JobArgs, recs []record) error
	// completeJobs completes the running jobs of ids and returns how many.
	completeJobs func(ctx context.Context, tx execer, ids []int64, now time.Time) (int64, error)

	once      sync.Once
	pending   chan *completion
	quit      chan struct{}
	closeOnce sync.Once
}

func newCommitter[TTx any, TDriver riverdriver.Driver[TTx]](n int, inTx func(context.Context, func(TTx, execer) error) error,
	finish func(context.Context, execer, []JobArgs, []record) error,
	completeJobs func(context.Context, execer, []int64, time.Time) (int64, error),
) *committer[TTx, TDriver] {
	return &committer[TTx, TDriver]{n: n, inTx: inTx, finish: finish, completeJobs: completeJobs, pending: make(chan *completion), quit: make(chan struct{})}
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

// complete journals a job's final outcome and completes the job in a
// transaction it shares with the completions waiting beside it.
func (c *committer[TTx, TDriver]) complete(ctx context.Context, job *river.Job[JobArgs], rec record) error {
	c.once.Do(func() {
		for range c.n {
			go c.loop()
		}
	})
	cp := &completion{ctx: ctx, job: job, rec: rec, done: make(chan error, 1)}
	select {
	case c.pending <- cp:
	case <-c.quit:
		return errors.New("bulk: engine closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-cp.done:
		return err
	case <-ctx.Done():
		// The batch may still commit; then the job stays completed, and
		// River's snooze of it finds it no longer running and does nothing.
		return ctx.Err()
	}
}

func (c *committer[TTx, TDriver]) loop() {
	for {
		var batch []*completion
		select {
		case cp := <-c.pending:
			batch = append(batch, cp)
		case <-c.quit:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case cp := <-c.pending:
				batch = append(batch, cp)
			default:
				break more
			}
		}
		err := c.commit(batch)
		if err != nil && len(batch) > 1 {
			// One bad job must not fail the others: commit each alone.
			for _, cp := range batch {
				cp.done <- c.commit([]*completion{cp})
			}
			continue
		}
		for _, cp := range batch {
			cp.done <- err
		}
	}
}

func (c *committer[TTx, TDriver]) commit(batch []*completion) error {
	ctx, cancel := context.WithTimeout(context.Background(), journalTimeout)
	defer cancel()
	return c.inTx(ctx, func(_ TTx, t execer) error {
		jobs, recs := make([]JobArgs, len(batch)), make([]record, len(batch))
		for i, cp := range batch {
			jobs[i], recs[i] = cp.job.Args, cp.rec
		}
		if err := c.finish(ctx, t, jobs, recs); err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		ids := make([]int64, len(batch))
		for i, cp := range batch {
			ids[i] = cp.job.ID
		}
		n, err := c.completeJobs(ctx, t, ids, time.Now())
		if err != nil {
			return fmt.Errorf("river: %w", err)
		}
		if n != int64(len(ids)) {
			// A job no longer running (snoozed after its context ended, or
			// rescued): as river.JobCompleteTx, fail, so that the batch is
			// committed job by job and only that one fails.
			return fmt.Errorf("river: %w", rivertype.ErrNotFound)
		}
		return nil
	})
}

// close ends the committers; a second call does nothing.
func (c *committer[TTx, TDriver]) close() { c.closeOnce.Do(func() { close(c.quit) }) }
