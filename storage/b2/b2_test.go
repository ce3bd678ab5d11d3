package b2_test

import (
	"context"
	"testing"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/b2"
	"github.com/groundwork-go/groundwork/storage/storagetest"
)

func newBucket(t *testing.T, f *fakeB2, opts b2.Options) *b2.Bucket {
	t.Helper()
	opts.APIBase = f.srv.URL
	b, err := b2.New(context.Background(), f.keyID, f.key, f.bucketName, opts)
	if err != nil {
		t.Fatalf("b2.New: got error %v, want nil", err)
	}
	return b
}

func TestConformance(t *testing.T) {
	storagetest.RunBucketTests(t, func(t *testing.T) storage.Bucket {
		return newBucket(t, newFakeB2(t), b2.Options{ChunkSize: 5 << 20, DownloadChunkSize: 64 << 10})
	})
}
