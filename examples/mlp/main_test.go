package main

import "testing"

func TestMLPLearnsSpirals(t *testing.T) {
	if acc := train(1000); acc < 0.9 {
		t.Errorf("accuracy %.3f after 1000 steps; want ≥ 0.9", acc)
	}
}
