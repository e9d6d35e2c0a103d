package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/ark"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/iiif/auth"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/signin"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
	"github.com/thaiarchives/archive/storage/s3"
)

// Config is every setting of the archive. Each comes from, in rising order of
// precedence: its default, the config file, the environment (ARCHIVE_…), a flag.
// Secrets (S3 keys, the administrator's token) have no flags, so they never appear in a
// process listing or shell history.
type Config struct {
	Data string // folder for the metadata store and local blobs
	Addr string
	// AdminAddr is where /metrics and /debug/pprof/ are served
	// (ARCHIVE_ADMIN_ADDR); empty: nowhere.
	AdminAddr string
	Storage   string // local or s3
	S3        s3.Config
	Token     string
	// UploadMax bounds one web upload, in bytes (ARCHIVE_UPLOAD_MAX_MIB).
	UploadMax int64
	// UploadExpiry is how long an unfinished web upload may lie idle before it
	// is removed (ARCHIVE_UPLOAD_EXPIRY, default 72h).
	UploadExpiry time.Duration
	// BaseURL, FrameAncestors and AdminEmail: the public address behind a
	// proxy, the partner sites that may frame /embed pages, the contact for
	// harvesters.
	BaseURL, FrameAncestors, AdminEmail string
	// MaxArea bounds one rendered IIIF image, in pixels (ARCHIVE_IIIF_MAX_AREA).
	MaxArea int64
	// ReducedEdge is the long edge of reduced images (ARCHIVE_REDUCED_EDGE).
	ReducedEdge int
	// PublicMaxAge is how long caches keep public images (ARCHIVE_PUBLIC_MAX_AGE).
	PublicMaxAge time.Duration
	// Hosts are host names answered without a base URL (ARCHIVE_HOSTS).
	Hosts []string
	// TrustedProxies may name the client in X-Forwarded-For (ARCHIVE_TRUSTED_PROXIES).
	TrustedProxies []string
	// Rooms are the libraries' reading rooms (ARCHIVE_READING_ROOMS_CMU=…;
	// see rooms.go).
	Rooms access.Rooms
	// PartnerOrigins are the partners' viewer origins given IIIF access
	// tokens besides the archive's own (ARCHIVE_PARTNER_ORIGINS).
	PartnerOrigins []string
	// TranscodeWorkers is how many recordings get their copies for browsers
	// at once (ARCHIVE_TRANSCODE_WORKERS; default half the cores, at most one
	// per core).
	TranscodeWorkers int
	// OCRWorkers is how many pages are read at once (ARCHIVE_OCR_WORKERS,
	// default half the cores).
	OCRWorkers int
	// FileTimeout bounds the time one uploaded file's derivatives may take
	// (ARCHIVE_INGEST_FILE_TIMEOUT, default 30m).
	FileTimeout time.Duration
	// CacheBytes is the memory the image service's caches share
	// (ARCHIVE_CACHE_MIB, default 112).
	CacheBytes int64
	// FixityRate bounds the service's scheduled fixity audits, in bytes per
	// second (ARCHIVE_FIXITY_RATE, default 16MiB; 0 turns them off);
	// FixityEvery is how long after one pass began the next begins
	// (ARCHIVE_FIXITY_EVERY, default 720h).
	FixityRate  int64
	FixityEvery time.Duration
	// wrapBlobs, when set, wraps the blob store as it is opened (the
	// service's metrics).
	wrapBlobs func(storage.Blobs) storage.Blobs
	// ThaiDictionaries are the word lists search segments Thai with
	// (ARCHIVE_THAI_DICTIONARIES, colon-separated; default libthai's, Debian's libthai-data).
	ThaiDictionaries []string
	// Mail tells people of decisions on their access requests (nil: none);
	// Retention is how long libraries keep decided requests (grants.go).
	Mail      *desk.Mailer
	Retention desk.Retention
	// ARKs mints the persistent identifiers of new records (arks.go).
	ARKs *ark.Minter
	// SignIn are the libraries whose people sign in with their university
	// (ARCHIVE_OIDC_{LIB}_…, ARCHIVE_SAML_{LIB}_…, ARCHIVE_SIGNIN_{LIB}_ROLES;
	// see signin.FromSettings). The client secrets have no flags.
	SignIn []signin.Library
}

// settings is the environment-style view of the config: name → value.
type settings map[string]string

// loadSettings reads the optional config file (KEY=VALUE lines, # comments,
// the same names as the environment), then the environment over it.
func loadSettings(file string) (settings, error) {
	st := settings{}
	if file == "" {
		file = os.Getenv("ARCHIVE_CONFIG")
	}
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("config file %s cannot be read: %v", file, unwrap(err))
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			k = strings.TrimSpace(strings.TrimPrefix(k, "export "))
			if !ok || !strings.HasPrefix(k, "ARCHIVE_") {
				return nil, fmt.Errorf("config file %s, line %d: expected ARCHIVE_NAME=value", file, n)
			}
			st[k] = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	for _, kv := range os.Environ() {
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "ARCHIVE_") {
			st[k] = v
		}
	}
	return st, nil
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// common holds the flags every subcommand shares.
type common struct {
	config, data, storage string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "config `file` of ARCHIVE_NAME=value lines (env ARCHIVE_CONFIG)")
	fs.StringVar(&c.data, "data", "", "data `folder`: metadata store and local blobs (env ARCHIVE_DATA, default ./data)")
	fs.StringVar(&c.storage, "storage", "", "blob storage: local or s3 (env ARCHIVE_STORAGE, default local); S3 settings come from ARCHIVE_S3_* in the environment or config file")
}

// resolve builds the Config from defaults, file, environment and flags.
func (c *common) resolve() (*Config, error) {
	st, err := loadSettings(c.config)
	if err != nil {
		return nil, err
	}
	pick := func(flagVal, name, def string) string {
		if flagVal != "" {
			return flagVal
		}
		if v := st[name]; v != "" {
			return v
		}
		return def
	}
	cfg := &Config{
		Data:      pick(c.data, "ARCHIVE_DATA", "data"),
		Addr:      pick("", "ARCHIVE_ADDR", "127.0.0.1:8080"),
		AdminAddr: st["ARCHIVE_ADMIN_ADDR"],
		Storage:   pick(c.storage, "ARCHIVE_STORAGE", "local"),
		Token:     st["ARCHIVE_TOKEN"],
		BaseURL:   st["ARCHIVE_BASE_URL"], FrameAncestors: st["ARCHIVE_FRAME_ANCESTORS"], AdminEmail: st["ARCHIVE_ADMIN_EMAIL"],
		S3: s3.Config{
			Endpoint:     st["ARCHIVE_S3_ENDPOINT"],
			Bucket:       st["ARCHIVE_S3_BUCKET"],
			Region:       st["ARCHIVE_S3_REGION"],
			AccessKey:    st["ARCHIVE_S3_ACCESS_KEY"],
			SecretKey:    st["ARCHIVE_S3_SECRET_KEY"],
			Prefix:       st["ARCHIVE_S3_PREFIX"],
			CreateBucket: true,
		},
	}
	for name, dst := range map[string]*bool{"ARCHIVE_S3_TLS": &cfg.S3.TLS, "ARCHIVE_S3_CREATE_BUCKET": &cfg.S3.CreateBucket} {
		if v := st[name]; v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("%s=%q is not true or false", name, v)
			}
			*dst = b
		}
	}
	if v := st["ARCHIVE_S3_TIMEOUT"]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > time.Hour {
			return nil, fmt.Errorf("ARCHIVE_S3_TIMEOUT=%q is not a duration from 1s to 1h, such as 20s", v)
		}
		cfg.S3.Timeout = d
	}
	if v := st["ARCHIVE_UPLOAD_MAX_MIB"]; v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("ARCHIVE_UPLOAD_MAX_MIB=%q is not a positive number of MiB", v)
		}
		cfg.UploadMax = n << 20
	}
	if v := st["ARCHIVE_UPLOAD_EXPIRY"]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("ARCHIVE_UPLOAD_EXPIRY=%q is not a duration such as 72h", v)
		}
		cfg.UploadExpiry = d
	}
	if v := st["ARCHIVE_IIIF_MAX_AREA"]; v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 65536 {
			return nil, fmt.Errorf("ARCHIVE_IIIF_MAX_AREA=%q is not a number of pixels (at least 65536)", v)
		}
		cfg.MaxArea = n
	}
	for name, dst := range map[string]*int{"ARCHIVE_TRANSCODE_WORKERS": &cfg.TranscodeWorkers, "ARCHIVE_OCR_WORKERS": &cfg.OCRWorkers} {
		if v := st[name]; v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > runtime.NumCPU() {
				return nil, fmt.Errorf("%s=%q is not a number from 1 to the %d cores", name, v, runtime.NumCPU())
			}
			*dst = n
		}
	}
	if v := st["ARCHIVE_REDUCED_EDGE"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 64 {
			return nil, fmt.Errorf("ARCHIVE_REDUCED_EDGE=%q is not a number of pixels (at least 64)", v)
		}
		cfg.ReducedEdge = n
	}
	if v := st["ARCHIVE_INGEST_FILE_TIMEOUT"]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("ARCHIVE_INGEST_FILE_TIMEOUT=%q is not a duration such as 30m", v)
		}
		cfg.FileTimeout = d
	}
	if v := st["ARCHIVE_PUBLIC_MAX_AGE"]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("ARCHIVE_PUBLIC_MAX_AGE=%q is not a duration such as 24h", v)
		}
		cfg.PublicMaxAge = d
	}
	if v := st["ARCHIVE_BASE_URL"]; v != "" {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("ARCHIVE_BASE_URL=%q is not an address such as https://archive.example.org", v)
		}
	}
	cfg.Hosts = strings.Fields(strings.ReplaceAll(st["ARCHIVE_HOSTS"], ",", " "))
	cfg.TrustedProxies = strings.Fields(strings.ReplaceAll(st["ARCHIVE_TRUSTED_PROXIES"], ",", " "))
	for _, p := range cfg.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return nil, fmt.Errorf("ARCHIVE_TRUSTED_PROXIES: %q is not an address or a range such as 10.0.0.0/8", p)
		}
	}
	for _, o := range strings.Fields(strings.ReplaceAll(st["ARCHIVE_PARTNER_ORIGINS"], ",", " ")) {
		origin, err := auth.Origin(o)
		if err != nil {
			return nil, fmt.Errorf("ARCHIVE_PARTNER_ORIGINS: %v", err)
		}
		cfg.PartnerOrigins = append(cfg.PartnerOrigins, origin)
	}
	if v := st["ARCHIVE_CACHE_MIB"]; v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 16 || n > 1<<20 {
			return nil, fmt.Errorf("ARCHIVE_CACHE_MIB=%q is not a number of MiB of at least 16", v)
		}
		cfg.CacheBytes = n << 20
	}
	if err := cfg.fixitySettings(st); err != nil {
		return nil, err
	}
	if cfg.ARKs, err = arkSettings(st); err != nil {
		return nil, err
	}
	if err := cfg.roomSettings(st); err != nil {
		return nil, err
	}
	if err := cfg.requestSettings(st); err != nil {
		return nil, err
	}
	if v := st["ARCHIVE_THAI_DICTIONARIES"]; v != "" {
		for _, p := range filepath.SplitList(v) {
			if _, err := os.Stat(p); err != nil {
				return nil, fmt.Errorf("ARCHIVE_THAI_DICTIONARIES: %s: %v", p, unwrap(err))
			}
			cfg.ThaiDictionaries = append(cfg.ThaiDictionaries, p)
		}
	}
	if cfg.SignIn, err = signInSettings(st, cfg.BaseURL); err != nil {
		return nil, err
	}
	if cfg.Storage != "local" && cfg.Storage != "s3" {
		return nil, fmt.Errorf("storage %q is not local or s3", cfg.Storage)
	}
	return cfg, nil
}

// openData prepares the data folder and checks that it can be written.
func (cfg *Config) openData() error {
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return fmt.Errorf("data folder %s cannot be created: %v", cfg.Data, unwrap(err))
	}
	probe := filepath.Join(cfg.Data, ".write-check")
	if err := os.WriteFile(probe, nil, 0o600); err != nil {
		return fmt.Errorf("data folder %s is not writable: %v", cfg.Data, unwrap(err))
	}
	return os.Remove(probe)
}

// openBlobs opens the configured blob store.
func (cfg *Config) openBlobs(ctx context.Context) (storage.Blobs, error) {
	var b storage.Blobs
	var err error
	if cfg.Storage == "s3" {
		b, err = s3.Open(ctx, cfg.S3)
	} else if err = cfg.openData(); err == nil {
		b, err = local.Open(filepath.Join(cfg.Data, "blobs"))
	}
	if err != nil || cfg.wrapBlobs == nil {
		return b, err
	}
	return cfg.wrapBlobs(b), nil
}

// indexPath is where the search index lives.
func (cfg *Config) indexPath() string { return filepath.Join(cfg.Data, "index") }

// dbPath is where the metadata store lives.
func (cfg *Config) dbPath() string { return filepath.Join(cfg.Data, "archive.db") }

// open opens blobs and the metadata store.
func (cfg *Config) open(ctx context.Context) (storage.Blobs, *bolt.Store, error) {
	blobs, err := cfg.openBlobs(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := cfg.openData(); err != nil {
		return nil, nil, err
	}
	store, err := bolt.Open(ctx, cfg.dbPath(), blobs)
	if err != nil {
		return nil, nil, err
	}
	store.ARKs = cfg.ARKs
	return blobs, store, nil
}

// openArchive resolves the settings and opens storage and the metadata
// store, as every command that works on the archive does first.
func (c *common) openArchive(ctx context.Context) (*Config, storage.Blobs, *bolt.Store, error) {
	cfg, err := c.resolve()
	if err != nil {
		return nil, nil, nil, err
	}
	blobs, store, err := cfg.open(ctx)
	return cfg, blobs, store, err
}

// token returns the data folder's administrator token (registered at start
// as a system administrator's API token): ARCHIVE_TOKEN, or one kept in the data folder
// (created on first use, readable by its owner only).
func (cfg *Config) token() (string, error) {
	if cfg.Token != "" {
		return cfg.Token, nil
	}
	path := filepath.Join(cfg.Data, "token")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 16 {
		return strings.TrimSpace(string(b)), nil
	}
	var b [24]byte
	rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("API token cannot be saved in %s: %v", path, unwrap(err))
	}
	return tok, nil
}
