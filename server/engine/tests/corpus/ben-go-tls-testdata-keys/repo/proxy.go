package tlsproxy

import (
	"crypto/tls"
	"net/http/httputil"
	"net/url"
)

func New(target string, cert tls.Certificate) (*httputil.ReverseProxy, *tls.Config, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, nil, err
	}
	return httputil.NewSingleHostReverseProxy(u), &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
