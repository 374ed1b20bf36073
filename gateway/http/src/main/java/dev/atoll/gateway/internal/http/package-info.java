/** HTTP-level guards shared by the gateway's listeners: authentication, Host and Origin checks. */
package dev.atoll.gateway.internal.http;
