package main

import "testing"

func TestCustomLayerTrains(t *testing.T) {
	loss, acc := train(600, nil)
	if acc < 0.95 {
		t.Errorf("accuracy %.3f (loss %.4f) after 600 steps; want ≥ 0.95", acc, loss)
	}
}
