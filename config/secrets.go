package config

import (
	"strings"
	"unicode"
)

// Secret is one key of LibreChat's credentials Secret. Its value enters only
// through a sensitive, ephemeral Terraform variable of the base stack, never
// through a config file, so it reaches neither cdktf.out nor the state.
type Secret struct {
	// Key in the Secret, as LibreChat reads it from its environment.
	Key string
	// Variable is the Terraform variable (TF_VAR_<Variable>).
	Variable string
	// Pattern is the RE2 expression a value must match, and Rule says it in words.
	Pattern, Rule string
	// Make is a command that prints a fresh value.
	Make string
}

// Secrets are LibreChat's credentials, in the order of its .env.example.
var Secrets = []Secret{
	{Key: "CREDS_KEY", Variable: "creds_key", Pattern: "^[0-9a-fA-F]{64}$", Rule: "64 hex digits (32 bytes)", Make: "openssl rand -hex 32"},
	{Key: "CREDS_IV", Variable: "creds_iv", Pattern: "^[0-9a-fA-F]{32}$", Rule: "32 hex digits (16 bytes)", Make: "openssl rand -hex 16"},
	{Key: "JWT_SECRET", Variable: "jwt_secret", Pattern: "^.{32,}$", Rule: "at least 32 characters", Make: "openssl rand -hex 32"},
	{Key: "JWT_REFRESH_SECRET", Variable: "jwt_refresh_secret", Pattern: "^.{32,}$", Rule: "at least 32 characters", Make: "openssl rand -hex 32"},
	{Key: "MEILI_MASTER_KEY", Variable: "meili_master_key", Pattern: "^.{16,}$", Rule: "at least 16 characters", Make: "openssl rand -hex 16"},
}

// secretAdvice answers a secret found in a config file. It never quotes the value.
var secretAdvice = func() string {
	vars := make([]string, len(Secrets))
	for i, s := range Secrets {
		vars[i] = s.Variable
	}
	return "secrets are not read from config files (the value is not shown here); " +
		"pass LibreChat's credentials as the sensitive Terraform variables " + strings.Join(vars, ", ") +
		" (export TF_VAR_<name>=… or a git-ignored secrets.auto.tfvars), and cloud credentials through their usual environment (e.g. AWS_PROFILE)"
}()

// secretKeys are key names, lower-cased without punctuation, that only a
// secret would have.
var secretKeys = func() map[string]bool {
	m := map[string]bool{
		"password": true, "passwd": true, "secret": true, "token": true, "apikey": true,
		"masterkey": true, "accesskey": true, "secretkey": true, "secretaccesskey": true,
		"privatekey": true, "clientsecret": true,
	}
	for _, s := range Secrets {
		m[normalizeKey(s.Key)] = true
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
