package train

import (
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// MetricsWriter appends Records to a file as JSON lines.
type MetricsWriter struct {
	f   *os.File
	enc *json.Encoder
}

// CreateMetrics opens path for appending metrics (creating it), so a resumed
// run continues the same file.
func CreateMetrics(path string) (*MetricsWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("train: metrics: %w", err)
	}
	return &MetricsWriter{f: f, enc: json.NewEncoder(f)}, nil
}

// Write appends one record.
func (m *MetricsWriter) Write(r Record) error { return m.enc.Encode(r) }

// Close closes the file.
func (m *MetricsWriter) Close() error { return m.f.Close() }

// ReadMetrics reads the records of a metrics file, skipping none: a line
// that does not parse is an error naming its number.
func ReadMetrics(r io.Reader) ([]Record, error) {
	dec := json.NewDecoder(r)
	var recs []Record
	for line := 1; dec.More(); line++ {
		var rec Record
		if err := dec.Decode(&rec); err != nil {
			return recs, fmt.Errorf("train: metrics record %d: %w", line, err)
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

// PlotLoss draws the training loss of every step and the evaluated train
// and validation losses against the step, as a PNG at path (written to a
// temporary file and renamed).
func PlotLoss(path string, recs []Record, title string) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "step"
	p.Y.Label.Text = "loss"
	var steps, evalTrain, evalVal plotter.XYs
	for _, r := range recs {
		steps = append(steps, plotter.XY{X: float64(r.Step), Y: r.TrainLoss})
		if r.EvalVal != nil {
			evalTrain = append(evalTrain, plotter.XY{X: float64(r.Step), Y: *r.EvalTrain})
			evalVal = append(evalVal, plotter.XY{X: float64(r.Step), Y: *r.EvalVal})
		}
	}
	if len(steps) == 0 {
		return fmt.Errorf("train: no records to plot")
	}
	line, err := plotter.NewLine(steps)
	if err != nil {
		return err
	}
	line.Color = plotter.DefaultLineStyle.Color
	line.Width = vg.Points(0.5)
	p.Add(line)
	p.Legend.Add("batch loss", line)
	for i, s := range []struct {
		name string
		xys  plotter.XYs
	}{{"train (eval)", evalTrain}, {"val (eval)", evalVal}} {
		if len(s.xys) == 0 {
			continue
		}
		l, pts, err := plotter.NewLinePoints(s.xys)
		if err != nil {
			return err
		}
		l.Color = plotColors[i]
		pts.Color = plotColors[i]
		p.Add(l, pts)
		p.Legend.Add(s.name, l, pts)
	}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	tmp := filepath.Join(filepath.Dir(path), ".tmp-"+filepath.Base(path)) // keeps the extension, which picks the format
	if err := p.Save(8*vg.Inch, 5*vg.Inch, tmp); err != nil {
		return fmt.Errorf("train: plot: %w", err)
	}
	return os.Rename(tmp, path)
}

// plotColors are the evaluated train and validation curves' colours.
var plotColors = []color.Color{
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, // blue
	color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, // red
}
