// Compat client for Brook: franz-go (kgo) with its default settings (idempotent
// producer, cooperative-sticky group balancing, reset to the start). Same commands and
// output as test/compat/java/Main.java; built by scripts/ci/install-compat.sh.
//
//	create-topic --bootstrap B --topic T --partitions N
//	produce      --bootstrap B --topic T --count N [--start S] [--prefix P] [--compression C] [--value-size V]
//	consume      --bootstrap B --topic T --group G --count N --out FILE [--timeout-ms MS]
//	member       --bootstrap B --topic T --group G   (stays in the group until stdin closes)
//	txn-produce  --bootstrap B --topic T --count N --txn-id ID --txn-size S --abort-every K [--prefix P]
//	txn-copy     --bootstrap B --input I --output O --group G --txn-id ID --count N [--timeout-ms MS]
//
// consume takes --isolation read_committed; txn-copy is franz-go's GroupTransactSession.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	if len(os.Args) < 2 {
		usage("no command")
	}
	args := parseArgs(os.Args[2:])
	var err error
	switch os.Args[1] {
	case "create-topic":
		err = createTopic(args)
	case "produce":
		err = produce(args)
	case "consume":
		err = consume(args)
	case "member":
		err = member(args)
	case "txn-produce":
		err = txnProduce(args)
	case "txn-copy":
		err = txnCopy(args)
	default:
		usage("unknown command " + os.Args[1])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "compat: %v\n", err)
		os.Exit(1)
	}
}

func usage(why string) {
	fmt.Fprintf(os.Stderr, "compat: %s; commands: create-topic, produce, consume, member\n", why)
	os.Exit(2)
}

type args map[string]string

func parseArgs(argv []string) args {
	a := args{}
	for i := 0; i < len(argv); i += 2 {
		if !strings.HasPrefix(argv[i], "--") || i+1 >= len(argv) {
			usage("bad argument " + argv[i])
		}
		a[argv[i][2:]] = argv[i+1]
	}
	return a
}

func (a args) need(key string) string {
	v, ok := a[key]
	if !ok {
		usage("missing --" + key)
	}
	return v
}

func (a args) get(key, def string) string {
	if v, ok := a[key]; ok {
		return v
	}
	return def
}

func (a args) int(key, def string) int64 {
	n, err := strconv.ParseInt(a.get(key, def), 10, 64)
	if err != nil {
		usage("--" + key + " must be an integer")
	}
	return n
}

func printJSON(v any) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func createTopic(a args) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(a.need("bootstrap")))
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	topic := a.need("topic")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := adm.CreateTopic(ctx, int32(a.int("partitions", "1")), 1, nil, topic)
	existed := errors.Is(resp.Err, kerr.TopicAlreadyExists)
	if err == nil && resp.Err != nil && !existed {
		err = resp.Err
	}
	if err != nil {
		return err
	}
	details, err := adm.ListTopics(ctx, topic)
	if err != nil {
		return err
	}
	printJSON(map[string]any{"topic": topic, "partitions": len(details[topic].Partitions), "existed": existed})
	return nil
}

func codec(name string) (kgo.CompressionCodec, error) {
	switch name {
	case "none":
		return kgo.NoCompression(), nil
	case "gzip":
		return kgo.GzipCompression(), nil
	case "snappy":
		return kgo.SnappyCompression(), nil
	case "lz4":
		return kgo.Lz4Compression(), nil
	case "zstd":
		return kgo.ZstdCompression(), nil
	}
	return kgo.CompressionCodec{}, fmt.Errorf("unknown compression %q", name)
}

// value is "<prefix>:<i>:" padded with letters to size, as the Java client makes it.
func value(prefix string, i int64, size int) []byte {
	b := make([]byte, 0, size)
	b = append(b, prefix...)
	b = append(b, ':')
	b = strconv.AppendInt(b, i, 10)
	b = append(b, ':')
	for len(b) < size {
		b = append(b, byte('a'+(int64(len(b))+i)%26))
	}
	return b
}

type partStats struct {
	Count      int64 `json:"count"`
	LastOffset int64 `json:"lastOffset"`
}

func produce(a args) error {
	c, err := codec(a.get("compression", "none"))
	if err != nil {
		return err
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(a.need("bootstrap")), kgo.ProducerBatchCompression(c))
	if err != nil {
		return err
	}
	defer cl.Close()
	topic, count, start := a.need("topic"), a.int("count", "0"), a.int("start", "0")
	prefix, size := a.get("prefix", "r"), int(a.int("value-size", "100"))
	var acked, failed atomic.Int64
	var mu sync.Mutex
	var firstErr error
	parts := map[string]*partStats{}
	t0 := time.Now()
	ctx := context.Background()
	for i := start; i < start+count; i++ {
		r := &kgo.Record{Topic: topic, Key: []byte("k" + strconv.FormatInt(i, 10)), Value: value(prefix, i, size)}
		cl.Produce(ctx, r, func(r *kgo.Record, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed.Add(1)
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			acked.Add(1)
			key := strconv.Itoa(int(r.Partition))
			s := parts[key]
			if s == nil {
				s = &partStats{LastOffset: -1}
				parts[key] = s
			}
			s.Count++
			s.LastOffset = max(s.LastOffset, r.Offset)
		})
	}
	if err := cl.Flush(ctx); err != nil {
		return err
	}
	out := map[string]any{"acked": acked.Load(), "failed": failed.Load(), "ms": time.Since(t0).Milliseconds(), "partitions": parts}
	if firstErr != nil {
		out["error"] = firstErr.Error()
	}
	printJSON(out)
	if failed.Load() > 0 {
		os.Exit(1)
	}
	return nil
}

func writeRecord(w *bufio.Writer, r *kgo.Record) {
	w.WriteString(strconv.Itoa(int(r.Partition)))
	w.WriteByte('\t')
	w.WriteString(strconv.FormatInt(r.Offset, 10))
	w.WriteByte('\t')
	w.Write(r.Key)
	w.WriteByte('\t')
	w.Write(r.Value)
	w.WriteByte('\n')
}

type consumeStats struct {
	Count int64 `json:"count"`
	First int64 `json:"first"`
	Last  int64 `json:"last"`
}

func consume(a args) error {
	topic, group, count := a.need("topic"), a.need("group"), a.int("count", "0")
	opts := []kgo.Opt{kgo.SeedBrokers(a.need("bootstrap")), kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic)}
	if a.get("isolation", "read_uncommitted") == "read_committed" {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return err
	}
	f, err := os.Create(a.need("out"))
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<16)
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(a.int("timeout-ms", "60000"))*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	parts := map[string]*consumeStats{}
	var received int64
	for received < count && ctx.Err() == nil {
		fetches := cl.PollFetches(ctx)
		for _, fe := range fetches.Errors() {
			if !errors.Is(fe.Err, context.DeadlineExceeded) {
				fmt.Fprintf(os.Stderr, "compat: fetch %s[%d]: %v\n", fe.Topic, fe.Partition, fe.Err)
			}
		}
		n := 0
		fetches.EachRecord(func(r *kgo.Record) {
			writeRecord(w, r)
			key := strconv.Itoa(int(r.Partition))
			s := parts[key]
			if s == nil {
				s = &consumeStats{First: r.Offset}
				parts[key] = s
			}
			s.Count++
			s.Last = r.Offset
			n++
		})
		received += int64(n)
		if n > 0 {
			if err := cl.CommitUncommittedOffsets(context.Background()); err != nil {
				return fmt.Errorf("commit: %w", err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	committed := map[string]int64{}
	for _, ps := range cl.CommittedOffsets() {
		for p, eo := range ps {
			committed[strconv.Itoa(int(p))] = eo.Offset
		}
	}
	cl.Close()
	printJSON(map[string]any{"received": received, "ms": time.Since(t0).Milliseconds(), "partitions": parts, "committed": committed})
	if received < count {
		return fmt.Errorf("timed out with %d of %d records", received, count)
	}
	return nil
}

// member reports "A\t<partitions>" after each assignment change and "R\t<record>" per
// record, committing after each poll; on stdin EOF it commits, leaves and prints "X".
func member(a args) error {
	topic, group := a.need("topic"), a.need("group")
	var mu sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	owned := map[int32]bool{}
	report := func() {
		ps := make([]int, 0, len(owned))
		for p := range owned {
			ps = append(ps, int(p))
		}
		sort.Ints(ps)
		strs := make([]string, len(ps))
		for i, p := range ps {
			strs[i] = strconv.Itoa(p)
		}
		w.WriteString("A\t" + strings.Join(strs, ",") + "\n")
		w.Flush()
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(a.need("bootstrap")), kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			mu.Lock()
			defer mu.Unlock()
			for _, p := range m[topic] {
				owned[p] = true
			}
			report()
		}),
		// Overriding revoke replaces the default commit-on-revoke, so commit here.
		kgo.OnPartitionsRevoked(func(ctx context.Context, cl *kgo.Client, m map[string][]int32) {
			if err := cl.CommitUncommittedOffsets(ctx); err != nil {
				fmt.Fprintf(os.Stderr, "compat: commit on revoke: %v\n", err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, p := range m[topic] {
				delete(owned, p)
			}
			report()
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			mu.Lock()
			defer mu.Unlock()
			for _, p := range m[topic] {
				delete(owned, p)
			}
			report()
		}),
	)
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(context.Background())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	for ctx.Err() == nil {
		fetches := cl.PollFetches(ctx)
		for _, fe := range fetches.Errors() {
			if !errors.Is(fe.Err, context.Canceled) {
				fmt.Fprintf(os.Stderr, "compat: fetch %s[%d]: %v\n", fe.Topic, fe.Partition, fe.Err)
			}
		}
		mu.Lock()
		n := 0
		fetches.EachRecord(func(r *kgo.Record) {
			w.WriteString("R\t")
			writeRecord(w, r)
			n++
		})
		w.Flush()
		mu.Unlock()
		if n > 0 {
			if err := cl.CommitUncommittedOffsets(context.Background()); err != nil {
				fmt.Fprintf(os.Stderr, "compat: commit: %v\n", err)
			}
		}
	}
	if err := cl.CommitUncommittedOffsets(context.Background()); err != nil {
		fmt.Fprintf(os.Stderr, "compat: final commit: %v\n", err)
	}
	cl.Close()
	mu.Lock()
	w.WriteString("X\n")
	w.Flush()
	mu.Unlock()
	return nil
}

// txnProduce writes transactions of --txn-size records; every --abort-every-th one is aborted.
func txnProduce(a args) error {
	topic, count, size, abortEvery := a.need("topic"), a.int("count", "0"), a.int("txn-size", "1"), a.int("abort-every", "0")
	prefix := a.get("prefix", "t")
	cl, err := kgo.NewClient(kgo.SeedBrokers(a.need("bootstrap")), kgo.TransactionalID(a.need("txn-id")))
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx := context.Background()
	var committed, aborted int64
	var txn int64
	for i := int64(0); i < count; {
		txn++
		if err := cl.BeginTransaction(); err != nil {
			return err
		}
		var n int64
		var produceErr error
		var mu sync.Mutex
		for ; n < size && i < count; n, i = n+1, i+1 {
			r := &kgo.Record{Topic: topic, Key: []byte("k" + strconv.FormatInt(i, 10)), Value: value(prefix, i, 100)}
			cl.Produce(ctx, r, func(_ *kgo.Record, err error) {
				if err != nil {
					mu.Lock()
					produceErr = err
					mu.Unlock()
				}
			})
		}
		abort := abortEvery > 0 && txn%abortEvery == 0
		if err := cl.Flush(ctx); err != nil {
			return err
		}
		if produceErr != nil {
			return produceErr
		}
		end := kgo.TryCommit
		if abort {
			end = kgo.TryAbort
		}
		if err := cl.EndTransaction(ctx, end); err != nil {
			return err
		}
		if abort {
			aborted += n
		} else {
			committed += n
		}
	}
	printJSON(map[string]any{"committed": committed, "aborted": aborted})
	return nil
}

// txnCopy is consume-transform-produce through franz-go's GroupTransactSession: read_committed
// input, "c|<value>" to the output, input offsets committed in each transaction.
func txnCopy(a args) error {
	input, output, count := a.need("input"), a.need("output"), a.int("count", "0")
	sess, err := kgo.NewGroupTransactSession(
		kgo.SeedBrokers(a.need("bootstrap")),
		kgo.TransactionalID(a.need("txn-id")),
		kgo.ConsumerGroup(a.need("group")),
		kgo.ConsumeTopics(input),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.RequireStableFetchOffsets(),
	)
	if err != nil {
		return err
	}
	defer sess.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(a.int("timeout-ms", "60000"))*time.Millisecond)
	defer cancel()
	var copied, transactions int64
	for copied < count && ctx.Err() == nil {
		fetches := sess.PollFetches(ctx)
		n := int64(fetches.NumRecords())
		if n == 0 {
			continue
		}
		if err := sess.Begin(); err != nil {
			return err
		}
		fetches.EachRecord(func(r *kgo.Record) {
			sess.Produce(ctx, &kgo.Record{Topic: output, Key: r.Key, Value: append([]byte("c|"), r.Value...)}, nil)
		})
		ok, err := sess.End(ctx, kgo.TryCommit)
		if err != nil {
			return err
		}
		if ok {
			copied += n
			transactions++
		}
	}
	printJSON(map[string]any{"copied": copied, "transactions": transactions})
	if copied < count {
		return fmt.Errorf("copied %d of %d records", copied, count)
	}
	return nil
}
