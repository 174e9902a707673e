package mc

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
)

// Security is how connections are protected: TLS and memcached's ASCII
// authentication (memcache.tls*, memcache.username, memcache.password).
type Security struct {
	TLS            *tls.Config // nil: plain TCP
	User, Password string      // empty User: no authentication
}

// SecurityConfig is what the memcache.tls* and memcache.username/password
// settings say.
type SecurityConfig struct {
	TLS                bool
	CAFile             string
	CertFile, KeyFile  string
	ServerName         string
	InsecureSkipVerify bool
	User, Password     string
}

// Load checks the settings and loads the files they name.
func (sc SecurityConfig) Load() (Security, error) {
	s := Security{User: sc.User, Password: sc.Password}
	if !sc.TLS {
		return s, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: sc.ServerName, InsecureSkipVerify: sc.InsecureSkipVerify}
	if sc.CAFile != "" {
		pem, err := os.ReadFile(sc.CAFile)
		if err != nil {
			return s, fmt.Errorf("memcache.tls_ca_file: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return s, fmt.Errorf("memcache.tls_ca_file %q holds no PEM certificate", sc.CAFile)
		}
		cfg.RootCAs = pool
	}
	if sc.CertFile != "" || sc.KeyFile != "" {
		if sc.CertFile == "" || sc.KeyFile == "" {
			return s, fmt.Errorf("memcache.tls_cert_file and memcache.tls_key_file go together")
		}
		cert, err := tls.LoadX509KeyPair(sc.CertFile, sc.KeyFile)
		if err != nil {
			return s, fmt.Errorf("memcache.tls_cert_file/tls_key_file: %v", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	s.TLS = cfg
	return s, nil
}

// secure turns a new connection into one ready for commands: the TLS
// handshake, then authentication. Both happen once per connection, within
// the deadline of the call that opened it.
func (s *Security) secure(raw *sockConn, address string) (net.Conn, error) {
	var nc net.Conn = raw
	if s.TLS == nil && s.User == "" {
		return nc, nil
	}
	if s.TLS != nil {
		cfg := s.TLS
		if cfg.ServerName == "" {
			cfg = cfg.Clone()
			cfg.ServerName, _, _ = net.SplitHostPort(address)
		}
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(context.Background()); err != nil {
			nc.Close()
			return nil, tlsError(address, err)
		}
		nc = tc
	}
	if s.User != "" {
		if err := s.authenticate(nc, address); err != nil {
			nc.Close()
			return nil, err
		}
	}
	// The handshake read replies, but no command has been answered yet.
	raw.used = false
	return nc, nil
}

// authenticate uses memcached's ASCII authentication (-Y auth_file): a set
// whose data is "user password". The password never goes into a message.
func (s *Security) authenticate(nc net.Conn, address string) error {
	cred := s.User + " " + s.Password
	if _, err := fmt.Fprintf(nc, "set auth 0 0 %d\r\n%s\r\n", len(cred), cred); err != nil {
		return err
	}
	line, err := bufio.NewReaderSize(nc, 64).ReadString('\n')
	if err != nil {
		return err
	}
	switch strings.TrimSpace(line) {
	case "STORED":
		return nil
	case "CLIENT_ERROR authentication failure":
		return errorf(CodeServer, fmt.Sprintf("%s refused the credentials of user %q (memcache.username, memcache.password)", address, s.User))
	}
	return errorf(CodeServer, fmt.Sprintf("%s answered the authentication with %q (is memcached started with -Y?)", address, strings.TrimSpace(line)))
}

// tlsError says which TLS problem it is.
func tlsError(address string, err error) error {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
	)
	msg := err.Error()
	switch {
	case errors.Is(err, ErrInterrupted):
		return err
	case isTimeout(err):
		var t *timeoutError
		errors.As(err, &t)
		te := *t
		te.op, te.note = "TLS handshake with", ": is memcached started with -Z (TLS)?"
		return &te
	case errors.As(err, &unknown):
		msg = fmt.Sprintf("TLS: the certificate of %s is not signed by a CA in memcache.tls_ca_file", address)
	case errors.As(err, &hostname):
		msg = fmt.Sprintf("TLS: the certificate of %s is not valid for %q (%v); set memcache.tls_server_name to the name it has", address, hostname.Host, err)
	case errors.As(err, &invalid):
		msg = fmt.Sprintf("TLS: the certificate of %s is invalid: %v", address, err)
	case errors.As(err, &record):
		msg = fmt.Sprintf("TLS: %s did not answer with TLS: is memcached started with -Z?", address)
	default:
		msg = fmt.Sprintf("TLS handshake with %s failed: %v", address, err)
	}
	return &Error{Code: CodeNetwork, Msg: msg}
}

// tlsAlert says which server ended a TLS connection with an alert: a server
// that requires a client certificate sends one (certificate required, bad
// certificate) after the handshake, in place of the first reply.
func tlsAlert(address string, err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" {
		return &Error{Code: CodeNetwork, Msg: fmt.Sprintf("TLS: %s ended the connection with the alert %q (if it requires a client certificate: memcache.tls_cert_file, memcache.tls_key_file)", address, op.Err.Error())}
	}
	return err
}
