package config

import (
	"strings"
	"unicode"
)

// Secret is one credential of the platform. Its value enters only through a
// sensitive, ephemeral Terraform variable of the base stack, never through a
// config file, so it reaches neither cdktf.out, a plan nor the state.
type Secret struct {
	// Variable is the Terraform variable (TF_VAR_<Variable>).
	Variable string
	// Purpose says what the value is, for the variable's description.
	Purpose string
	// Pattern is the RE2 expression a value must match, and Rule says it in words.
	Pattern, Rule string
	// Make is a command that prints a fresh value.
	Make string
}

// The credentials. LibreChat's are in the order of its .env.example.
// MongoDB's passwords are letters and digits only, so that LibreChat's
// MONGO_URI can carry one without URL encoding.
var (
	CredsKey            = Secret{Variable: "creds_key", Purpose: "LibreChat's CREDS_KEY", Pattern: "^[0-9a-fA-F]{64}$", Rule: "64 hex digits (32 bytes)", Make: "openssl rand -hex 32"}
	CredsIV             = Secret{Variable: "creds_iv", Purpose: "LibreChat's CREDS_IV", Pattern: "^[0-9a-fA-F]{32}$", Rule: "32 hex digits (16 bytes)", Make: "openssl rand -hex 16"}
	JWTSecret           = Secret{Variable: "jwt_secret", Purpose: "LibreChat's JWT_SECRET", Pattern: "^.{32,}$", Rule: "at least 32 characters", Make: "openssl rand -hex 32"}
	JWTRefreshSecret    = Secret{Variable: "jwt_refresh_secret", Purpose: "LibreChat's JWT_REFRESH_SECRET", Pattern: "^.{32,}$", Rule: "at least 32 characters", Make: "openssl rand -hex 32"}
	MeiliMasterKey      = Secret{Variable: "meili_master_key", Purpose: "Meilisearch's master key, LibreChat's MEILI_MASTER_KEY", Pattern: "^.{16,}$", Rule: "at least 16 characters", Make: "openssl rand -hex 16"}
	MongoDBRootPassword = Secret{Variable: "mongodb_root_password", Purpose: "The password of MongoDB's root user, which MongoDB sets when it first starts on an empty volume", Pattern: "^[A-Za-z0-9]{24,}$", Rule: "at least 24 letters and digits", Make: "openssl rand -hex 24"}
	MongoDBPassword     = Secret{Variable: "mongodb_password", Purpose: "The password of MongoDB's user librechat, LibreChat's login (in its MONGO_URI), which MongoDB sets when it first starts on an empty volume", Pattern: "^[A-Za-z0-9]{24,}$", Rule: "at least 24 letters and digits", Make: "openssl rand -hex 24"}
)

// Secrets are all credentials, one variable each.
var Secrets = []Secret{CredsKey, CredsIV, JWTSecret, JWTRefreshSecret, MeiliMasterKey, MongoDBRootPassword, MongoDBPassword}

// Htpasswd is the basic-auth credential of app's Ingress (ingress.auth.type
// basic): one htpasswd line, user:hash, with a hash ingress-nginx's nginx
// checks (bcrypt, apr1, SHA-256/512 crypt or {SHA}; never {PLAIN}). The base
// stack has the variable only where that Ingress uses basic auth.
func Htpasswd(app string) Secret {
	return Secret{
		Variable: app + "_htpasswd",
		Purpose:  "The htpasswd line (user:hash) that ingress-nginx's basic auth accepts in front of " + app,
		Pattern:  `^[A-Za-z0-9._@-]+:(\$apr1\$|\$2[aby]\$|\$[56]\$|\{SHA\})[./$A-Za-z0-9+=]+$`,
		Rule:     "one htpasswd line user:hash with a bcrypt, apr1, SHA-crypt or {SHA} hash",
		Make:     "htpasswd -nbB " + app + " \"$(openssl rand -hex 16 | tee /dev/stderr)\"",
	}
}

// HtpasswdApps are the apps whose Ingress may use basic auth.
var HtpasswdApps = []string{"ollama", "librechat"}

// AllSecrets are Secrets and every app's Htpasswd: every variable that may
// carry a credential.
func AllSecrets() []Secret {
	out := append([]Secret(nil), Secrets...)
	for _, app := range HtpasswdApps {
		out = append(out, Htpasswd(app))
	}
	return out
}

// secretAdvice answers a secret found in a config file. It never quotes the value.
var secretAdvice = func() string {
	vars := make([]string, len(Secrets))
	for i, s := range Secrets {
		vars[i] = s.Variable
	}
	return "secrets are not read from config files (the value is not shown here); " +
		"pass LibreChat's credentials as the sensitive Terraform variables " + strings.Join(vars, ", ") +
		" (export TF_VAR_<name>=… or a git-ignored secrets.auto.tfvars), an Ingress's basic-auth line as <app>_htpasswd, and cloud credentials through their usual environment (e.g. AWS_PROFILE)"
}()

// secretKeys are key names, lower-cased without punctuation, that only a
// secret would have: generic ones, the variables (creds_key and CREDS_KEY
// are both credskey) and LibreChat's MONGO_URI, which holds a password.
var secretKeys = func() map[string]bool {
	m := map[string]bool{
		"password": true, "passwd": true, "secret": true, "token": true, "apikey": true,
		"masterkey": true, "accesskey": true, "secretkey": true, "secretaccesskey": true,
		"privatekey": true, "clientsecret": true, "mongouri": true, "htpasswd": true,
	}
	for _, s := range AllSecrets() {
		m[normalizeKey(s.Variable)] = true
	}
	return m
}()

func secretKey(key string) bool { return secretKeys[normalizeKey(key)] }

func normalizeKey(key string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, key)
}
