/** The admin API (deploy by upload, approvals, tokens, audit) on the admin listener. */
package dev.atoll.gateway.internal.admin;
