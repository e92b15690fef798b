package librechat

import (
	"maps"
	"testing"
)

// The wants were read from the pinned chart (2.0.8 with mongodb 16.5.45 and
// meilisearch 0.11.0) rendered with our values for each release name: the
// host of the ConfigMap's MONGO_URI and the Deployments' and StatefulSet's
// selectors.
func TestMongoDBService(t *testing.T) {
	tests := []struct{ release, want string }{
		{"librechat", "librechat-mongodb"},
		{"chat.prod", "chat-prod-mongodb"},
		{"my-mongodb-chat", "my-mongodb-chat"},
		{"a-very-long-release-name-that-is-fifty-three-chars-x", "a-very-long-release-name-that-is-fifty-three-chars-x-mongodb"},
		// Longer than a release name may be, to show the truncation.
		{"abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcd", "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcd-mon"},
		{"abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefg", "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefg"},
	}
	for _, tc := range tests {
		if got := MongoDBService(tc.release); got != tc.want {
			t.Errorf("MongoDBService(%q) = %q, want %q", tc.release, got, tc.want)
		}
	}
	if got := MongoDBHost("librechat", "librechat"); got != "librechat-mongodb.librechat.svc.cluster.local" {
		t.Errorf("MongoDBHost = %q", got)
	}
}

func TestPodLabels(t *testing.T) {
	tests := []struct {
		name string
		got  map[string]string
		want map[string]string
	}{
		{"librechat", PodLabels("chat.prod"), map[string]string{"app.kubernetes.io/name": "chat.prod", "app.kubernetes.io/instance": "chat.prod"}},
		{"mongodb", MongoDBPodLabels("librechat"), map[string]string{"app.kubernetes.io/name": "mongodb", "app.kubernetes.io/instance": "librechat", "app.kubernetes.io/component": "mongodb"}},
		{"meilisearch", MeilisearchPodLabels("librechat"), map[string]string{"app.kubernetes.io/name": "meilisearch", "app.kubernetes.io/instance": "librechat"}},
	}
	for _, tc := range tests {
		if !maps.Equal(tc.got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}
