package tlsproxy

import (
	"crypto/tls"
	"testing"
)

func TestNew(t *testing.T) {
	cert, _ := tls.LoadX509KeyPair("testdata/server.crt", "testdata/server.key")
	if _, _, err := New("http://127.0.0.1:8080", cert); err != nil {
		t.Fatal(err)
	}
}
