package mirror

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are a follower's Prometheus metrics. A nil *Metrics records
// nothing.
type Metrics struct {
	lagSeconds    prometheus.Histogram
	lastReconcile prometheus.Gauge
	reconcileSecs prometheus.Gauge
	errors        *prometheus.CounterVec
	changes       *prometheus.CounterVec
	announced     prometheus.Counter
	writing       prometheus.Gauge
}

// NewMetrics registers the follower's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		lagSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "console_mirror_lag_seconds",
			Help:    "Time from a change's commit to its tenant's folder being right in the tree.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		lastReconcile: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "console_mirror_last_reconcile_timestamp_seconds",
			Help: "When the last full reconcile of the tree finished (Unix time).",
		}),
		reconcileSecs: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "console_mirror_last_reconcile_duration_seconds",
			Help: "How long the last full reconcile of the tree took.",
		}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "console_mirror_errors_total",
			Help: "Failures of the follower, by stage (connect, connection, reconcile, sync).",
		}, []string{"stage"}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "console_mirror_changes_applied_total",
			Help: "Changes made to the tree, by action (created, updated, removed, restored, deleted, note saved).",
		}, []string{"action"}),
		announced: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "console_mirror_announcements_total",
			Help: "Tenant changes announced by the database and heard by this follower.",
		}),
		writing: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "console_mirror_writing",
			Help: "1 when this follower holds the lock and writes the tree, 0 when it waits or is disconnected.",
		}),
	}
	reg.MustRegister(m.lagSeconds, m.lastReconcile, m.reconcileSecs, m.errors, m.changes, m.announced, m.writing)
	return m
}

func (m *Metrics) lag(d time.Duration) {
	if m != nil {
		m.lagSeconds.Observe(max(d, 0).Seconds())
	}
}

func (m *Metrics) reconciled(took time.Duration) {
	if m != nil {
		m.lastReconcile.SetToCurrentTime()
		m.reconcileSecs.Set(took.Seconds())
	}
}

func (m *Metrics) failed(stage string) {
	if m != nil {
		// The tenant id stays out of the label: one series per stage.
		for i, r := range stage {
			if r == ' ' {
				stage = stage[:i]
				break
			}
		}
		m.errors.WithLabelValues(stage).Inc()
	}
}

func (m *Metrics) applied(a *Applied) {
	if m != nil && a != nil {
		m.changes.WithLabelValues(string(a.Action)).Inc()
	}
}

func (m *Metrics) heard(n int) {
	if m != nil {
		m.announced.Add(float64(n))
	}
}

func (m *Metrics) state(s State) {
	if m != nil {
		v := 0.0
		if s == Writing {
			v = 1
		}
		m.writing.Set(v)
	}
}

// Handler serves /healthz (the follower's Status as JSON: 200 while it is
// connected, writing or waiting its turn; 503 while it has no connection)
// and /metrics (gatherer's metrics).
func Handler(f *Follower, gatherer prometheus.Gatherer) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		st := f.Status()
		code := http.StatusOK
		if st.State != Writing && st.State != Waiting {
			code = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(st)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{}))
	return mux
}
