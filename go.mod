module github.com/tapegrad/tapegrad

go 1.26
