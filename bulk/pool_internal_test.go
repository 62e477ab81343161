package bulk

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPostgresPoolSize(t *testing.T) {
	pcfg, err := postgresConfig("postgres://u@127.0.0.1/db?sslmode=disable")
	require.NoError(t, err)
	require.EqualValues(t, postgresMaxConns, pcfg.MaxConns)
	require.EqualValues(t, 6, pcfg.MaxConns, "the size BenchmarkWorkers measured")

	pcfg, err = postgresConfig("postgres://u@127.0.0.1/db?sslmode=disable&pool_max_conns=20")
	require.NoError(t, err)
	require.EqualValues(t, 20, pcfg.MaxConns, "the DSN's own size wins")
}
