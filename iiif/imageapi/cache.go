package imageapi

import (
	"container/list"
	"strings"
	"sync"
	"sync/atomic"
)

// Cache is an LRU cache bounded in bytes, safe for concurrent use. Keys
// start with the image identifier, so one image can be expired alone.
type Cache[V any] struct {
	mu    sync.Mutex
	max   int64
	used  int64
	order *list.List
	items map[string]*list.Element
	hits  atomic.Uint64
	miss  atomic.Uint64
}

// CacheStats says how a cache is doing: what it holds of what it may, and
// how often it had what was asked.
type CacheStats struct {
	Used, Max    int64
	Hits, Misses uint64
}

// Stats reads the cache's counters.
func (c *Cache[V]) Stats() CacheStats {
	return CacheStats{Used: c.Used(), Max: c.max, Hits: c.hits.Load(), Misses: c.miss.Load()}
}

type entry[V any] struct {
	key  string
	val  V
	size int64
}

// NewCache returns a cache holding at most maxBytes.
func NewCache[V any](maxBytes int64) *Cache[V] {
	return &Cache[V]{max: maxBytes, order: list.New(), items: map[string]*list.Element{}}
}

// Get returns a cached value and marks it recently used.
func (c *Cache[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.order.MoveToFront(e)
		c.hits.Add(1)
		return e.Value.(*entry[V]).val, true
	}
	c.miss.Add(1)
	var zero V
	return zero, false
}

// Put stores a value of the given size, evicting the least recently used.
func (c *Cache[V]) Put(key string, val V, size int64) {
	if size > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.used -= e.Value.(*entry[V]).size
		c.order.Remove(e)
	}
	c.items[key] = c.order.PushFront(&entry[V]{key, val, size})
	c.used += size
	for c.used > c.max {
		e := c.order.Back()
		en := e.Value.(*entry[V])
		c.order.Remove(e)
		delete(c.items, en.key)
		c.used -= en.size
	}
}

// Expire drops every entry whose key starts with prefix.
func (c *Cache[V]) Expire(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.items {
		if strings.HasPrefix(k, prefix) {
			c.used -= e.Value.(*entry[V]).size
			c.order.Remove(e)
			delete(c.items, k)
		}
	}
}

// Used reports the bytes held.
func (c *Cache[V]) Used() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}
