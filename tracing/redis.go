package tracing

import (
	"context"
	"time"

	"github.com/redis/rueidis"
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Redis returns c with a client span per command or pipeline sent to
// Redis, named after the command ("GET", "EVALSHA"; "pipeline" for several
// commands at once) with the command name and batch size as attributes;
// keys and arguments are not recorded. A DoCache or DoMultiCache answered
// entirely from client-side caching makes no span (it never reaches the
// network); one that reaches Redis makes a span from the call's start.
// Subscriptions (Receive) and streams are passed through untraced. Closing
// the returned client closes c.
func (t *Tracer) Redis(c rueidis.Client) rueidis.Client {
	return &redisClient{Client: c, t: t}
}

// redisClient is a rueidis.Client that reports its commands as spans.
type redisClient struct {
	rueidis.Client
	t *Tracer
}

var _ rueidis.Client = (*redisClient)(nil)

func (c *redisClient) Do(ctx context.Context, cmd rueidis.Completed) rueidis.RedisResult {
	return c.t.do(ctx, cmd, c.Client.Do)
}

func (c *redisClient) DoMulti(ctx context.Context, multi ...rueidis.Completed) []rueidis.RedisResult {
	return c.t.doMulti(ctx, multi, c.Client.DoMulti)
}

func (c *redisClient) DoCache(ctx context.Context, cmd rueidis.Cacheable, ttl time.Duration) rueidis.RedisResult {
	name, start := commandName(cmd.Commands()), time.Now() // the command is recycled once sent
	resp := c.Client.DoCache(ctx, cmd, ttl)
	if !resp.IsCacheHit() {
		_, span := c.t.startRedis(ctx, name, 1, trace.WithTimestamp(start))
		endRedis(span, resp.Error())
	}
	return resp
}

func (c *redisClient) DoMultiCache(ctx context.Context, multi ...rueidis.CacheableTTL) []rueidis.RedisResult {
	name, start := "pipeline", time.Now()
	if len(multi) == 1 {
		name = commandName(multi[0].Cmd.Commands())
	}
	resps := c.Client.DoMultiCache(ctx, multi...)
	for _, r := range resps {
		if !r.IsCacheHit() {
			_, span := c.t.startRedis(ctx, name, len(multi), trace.WithTimestamp(start))
			endRedis(span, firstError(resps))
			break
		}
	}
	return resps
}

func (c *redisClient) Dedicated(fn func(rueidis.DedicatedClient) error) error {
	return c.Client.Dedicated(func(d rueidis.DedicatedClient) error {
		return fn(&redisDedicated{DedicatedClient: d, t: c.t})
	})
}

func (c *redisClient) Dedicate() (rueidis.DedicatedClient, func()) {
	d, cancel := c.Client.Dedicate()
	return &redisDedicated{DedicatedClient: d, t: c.t}, cancel
}

func (c *redisClient) Nodes() map[string]rueidis.Client {
	nodes := c.Client.Nodes()
	traced := make(map[string]rueidis.Client, len(nodes))
	for addr, n := range nodes {
		traced[addr] = &redisClient{Client: n, t: c.t}
	}
	return traced
}

// redisDedicated is a rueidis.DedicatedClient that reports its commands as
// spans.
type redisDedicated struct {
	rueidis.DedicatedClient
	t *Tracer
}

func (c *redisDedicated) Do(ctx context.Context, cmd rueidis.Completed) rueidis.RedisResult {
	return c.t.do(ctx, cmd, c.DedicatedClient.Do)
}

func (c *redisDedicated) DoMulti(ctx context.Context, multi ...rueidis.Completed) []rueidis.RedisResult {
	return c.t.doMulti(ctx, multi, c.DedicatedClient.DoMulti)
}

// do sends cmd with send in a span.
func (t *Tracer) do(ctx context.Context, cmd rueidis.Completed,
	send func(context.Context, rueidis.Completed) rueidis.RedisResult) rueidis.RedisResult {
	ctx, span := t.startRedis(ctx, commandName(cmd.Commands()), 1)
	resp := send(ctx, cmd)
	endRedis(span, resp.Error())
	return resp
}

// doMulti sends multi with send in one span.
func (t *Tracer) doMulti(ctx context.Context, multi []rueidis.Completed,
	send func(context.Context, ...rueidis.Completed) []rueidis.RedisResult) []rueidis.RedisResult {
	ctx, span := t.startRedis(ctx, multiName(multi), len(multi))
	resps := send(ctx, multi...)
	endRedis(span, firstError(resps))
	return resps
}

// startRedis starts the client span of a command or a pipeline of n.
func (t *Tracer) startRedis(ctx context.Context, name string, n int, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	attrs := []attribute.KeyValue{semconv.DBSystemNameRedis, semconv.DBOperationName(name)}
	if n > 1 {
		attrs = append(attrs, semconv.DBOperationBatchSize(n))
	}
	opts = append(opts, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return t.tracer.Start(ctx, name, opts...)
}

// endRedis ends span, failed when err is an error other than a nil reply.
func endRedis(span trace.Span, err error) {
	if rueidis.IsRedisNil(err) {
		err = nil
	}
	endSpan(span, err)
}

// firstError returns the first error among resps that is not a nil reply.
func firstError(resps []rueidis.RedisResult) error {
	for _, r := range resps {
		if err := r.Error(); err != nil && !rueidis.IsRedisNil(err) {
			return err
		}
	}
	return nil
}

// commandName is the command's name, the first word sent.
func commandName(words []string) string {
	if len(words) == 0 {
		return "redis"
	}
	return words[0]
}

// multiName names a pipeline after its command when it has one.
func multiName(multi []rueidis.Completed) string {
	if len(multi) == 1 {
		return commandName(multi[0].Commands())
	}
	return "pipeline"
}
