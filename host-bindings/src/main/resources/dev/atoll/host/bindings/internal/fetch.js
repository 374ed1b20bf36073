// Atoll fetch binding, guest side. Evaluated in every fresh context after the bootstrap; installs
// fetch, Headers and Response, keeps `host` in this closure and returns the delivery function the
// runtime calls (on the guest thread) when a request completes. Bodies stay on the host until read.
//
// Most tools never fetch, and building the classes and functions below costs more CPU than the rest
// of a fresh context's set-up, so they are built on first use: the three globals start as accessors
// that build everything, replace themselves with plain values and return the real one. The builtins
// the implementation uses are captured here, before the tool's code runs, as before.
(function atollFetch(host) {
    'use strict';
    const parse = JSON.parse;
    const stringify = JSON.stringify;
    const StringCtor = String;
    const TypeErrorCtor = TypeError;
    const PromiseCtor = Promise;
    const Uint8ArrayCtor = Uint8Array;
    const ArrayBufferCtor = ArrayBuffer;
    const isView = ArrayBuffer.isView;
    const fromCharCode = String.fromCharCode;
    const apply = Reflect.apply;
    const defineProperty = Object.defineProperty;
    const objectKeys = Object.keys;
    const iterator = Symbol.iterator;
    const MapCtor = Map;
    const WeakMapCtor = WeakMap;
    const SymbolCtor = Symbol;
    const mapGet = Map.prototype.get;
    const mapSet = Map.prototype.set;
    const mapDelete = Map.prototype.delete;
    const weakGet = WeakMap.prototype.get;
    const weakSet = WeakMap.prototype.set;
    const hidden = {writable: true, configurable: true, enumerable: false};
    const NAMES = ['fetch', 'Headers', 'Response'];
    let api; // {fetch, Headers, Response, deliver} once built

    // The first use may come after the tool has changed builtins, so what runs then avoids them:
    // descriptors without a prototype (an Object.prototype.get would make them invalid), an indexed
    // loop instead of an iterator.
    function plain(value) {
        return {__proto__: null, value, writable: true, configurable: true, enumerable: false};
    }
    function built() {
        if (api === undefined) {
            api = build();
            for (let i = 0; i < 3; i++) {
                defineProperty(globalThis, NAMES[i], plain(api[NAMES[i]]));
            }
        }
        return api;
    }
    for (let i = 0; i < 3; i++) {
        const name = NAMES[i];
        defineProperty(globalThis, name, {
            __proto__: null,
            configurable: true,
            enumerable: false,
            get() {
                return built()[name];
            },
            set(v) {
                defineProperty(globalThis, name, plain(v));
            },
        });
    }

    return function deliver(id, payload) {
        if (api !== undefined) { // no request can be pending before fetch exists
            api.deliver(id, payload);
        }
    };

    function build() {
        const waiting = new MapCtor();
        const state = new WeakMapCtor();
        const internal = SymbolCtor('atoll-internal');
        const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
        const INVALID_VALUE = /[\0\r\n]/;
        const TRIM = /^[\t\n\r ]+|[\t\n\r ]+$/g;

        function own(obj) {
            const s = apply(weakGet, state, [obj]);
            if (s === undefined) {
                throw new TypeErrorCtor('Illegal invocation');
            }
            return s;
        }
        function headerName(n) {
            const s = StringCtor(n);
            if (!TOKEN.test(s)) {
                throw new TypeErrorCtor('invalid header name: ' + stringify(s));
            }
            return s.toLowerCase();
        }
        function headerValue(v) {
            const s = StringCtor(v).replace(TRIM, '');
            if (INVALID_VALUE.test(s)) {
                throw new TypeErrorCtor('invalid header value (CR, LF or NUL)');
            }
            return s;
        }

        class Headers {
            constructor(init) {
                apply(weakSet, state, [this, {list: []}]);
                if (init === undefined || init === null) {
                    return;
                }
                if (typeof init !== 'object' && typeof init !== 'function') {
                    throw new TypeErrorCtor('Headers: init must be an object, an array of pairs or a Headers');
                }
                if (typeof init[iterator] === 'function') {
                    for (const pair of init) {
                        const p = [...pair];
                        if (p.length !== 2) {
                            throw new TypeErrorCtor('Headers: each pair must have a name and a value');
                        }
                        this.append(p[0], p[1]);
                    }
                } else {
                    for (const k of objectKeys(init)) {
                        this.append(k, init[k]);
                    }
                }
            }
            append(name, value) {
                own(this).list.push([headerName(name), headerValue(value)]);
            }
            set(name, value) {
                const n = headerName(name);
                const v = headerValue(value);
                const s = own(this);
                s.list = s.list.filter((e) => e[0] !== n);
                s.list.push([n, v]);
            }
            get(name) {
                const n = headerName(name);
                const values = own(this).list.filter((e) => e[0] === n).map((e) => e[1]);
                return values.length === 0 ? null : values.join(', ');
            }
            has(name) {
                const n = headerName(name);
                return own(this).list.some((e) => e[0] === n);
            }
            delete(name) {
                const n = headerName(name);
                const s = own(this);
                s.list = s.list.filter((e) => e[0] !== n);
            }
            getSetCookie() {
                return own(this).list.filter((e) => e[0] === 'set-cookie').map((e) => e[1]);
            }
            forEach(callback, thisArg) {
                for (const [k, v] of this.entries()) {
                    apply(callback, thisArg, [v, k, this]);
                }
            }
            * entries() {
                const names = [...new Set(own(this).list.map((e) => e[0]))].sort();
                for (const n of names) {
                    if (n === 'set-cookie') {
                        for (const v of this.getSetCookie()) {
                            yield [n, v];
                        }
                    } else {
                        yield [n, this.get(n)];
                    }
                }
            }
            * keys() {
                for (const [k] of this.entries()) {
                    yield k;
                }
            }
            * values() {
                for (const [, v] of this.entries()) {
                    yield v;
                }
            }
            [iterator]() {
                return this.entries();
            }
        }

        function bytesOf(latin1) {
            const out = new Uint8ArrayCtor(latin1.length);
            for (let i = 0; i < latin1.length; i++) {
                out[i] = latin1.charCodeAt(i);
            }
            return out;
        }
        function latin1Of(u8) {
            let s = '';
            for (let i = 0; i < u8.length; i += 8192) {
                s += apply(fromCharCode, null, u8.subarray(i, i + 8192));
            }
            return s;
        }

        function readBody(response, kind) {
            const s = own(response);
            if (s.used) {
                return PromiseCtor.reject(new TypeErrorCtor('the response body has already been read'));
            }
            s.used = true;
            const v = host('body', s.body, kind);
            if (typeof v !== 'string') {
                return PromiseCtor.reject(new TypeErrorCtor('the response body is no longer available'));
            }
            return PromiseCtor.resolve(v);
        }

        class Response {
            constructor(token, r) {
                if (token !== internal) {
                    throw new TypeErrorCtor('Response objects are created by fetch');
                }
                apply(weakSet, state, [this, {r, used: false, body: r.body, headers: new Headers(r.headers)}]);
            }
            get status() {
                return own(this).r.status;
            }
            get ok() {
                const status = own(this).r.status;
                return status >= 200 && status <= 299;
            }
            get statusText() {
                return own(this).r.statusText;
            }
            get url() {
                return own(this).r.url;
            }
            get redirected() {
                return own(this).r.redirected;
            }
            get type() {
                return 'basic';
            }
            get headers() {
                return own(this).headers;
            }
            get bodyUsed() {
                return own(this).used;
            }
            text() {
                return readBody(this, 'text');
            }
            json() {
                return readBody(this, 'text').then((t) => parse(t));
            }
            arrayBuffer() {
                return readBody(this, 'bytes').then((b) => bytesOf(b).buffer);
            }
            bytes() {
                return readBody(this, 'bytes').then(bytesOf);
            }
        }

        const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
        const NORMALISED = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH'];

        function fetch(input, init) {
            return new PromiseCtor((resolve, reject) => {
                const options = init === undefined || init === null ? {} : init;
                let url;
                if (typeof input === 'string') {
                    url = input;
                } else if (input !== null && typeof input === 'object' && typeof input.href === 'string') {
                    url = input.href;
                } else if (input !== null && typeof input === 'object' && typeof input.url === 'string') {
                    url = input.url;
                } else {
                    url = StringCtor(input);
                }
                let method = options.method === undefined ? 'GET' : StringCtor(options.method);
                if (!METHOD.test(method)) {
                    throw new TypeErrorCtor('fetch: invalid method ' + stringify(method));
                }
                if (NORMALISED.includes(method.toUpperCase())) {
                    method = method.toUpperCase();
                }
                if (method === 'CONNECT' || method === 'TRACE' || method === 'TRACK') {
                    throw new TypeErrorCtor('fetch: method ' + method + ' is not allowed');
                }
                const headers = new Headers(options.headers);
                const body = options.body;
                let bodyText = null;
                let binary = false;
                if (body !== undefined && body !== null) {
                    if (method === 'GET' || method === 'HEAD') {
                        throw new TypeErrorCtor('fetch: a ' + method + ' request cannot have a body');
                    }
                    if (body instanceof ArrayBufferCtor) {
                        bodyText = latin1Of(new Uint8ArrayCtor(body));
                        binary = true;
                    } else if (isView(body)) {
                        bodyText = latin1Of(new Uint8ArrayCtor(body.buffer, body.byteOffset, body.byteLength));
                        binary = true;
                    } else {
                        bodyText = StringCtor(body);
                        if (!headers.has('content-type')) {
                            headers.set('content-type', 'text/plain;charset=UTF-8');
                        }
                    }
                }
                const timeout = options.timeout === undefined ? 0 : +options.timeout;
                if (!(timeout >= 0 && timeout < 1e9)) {
                    throw new TypeErrorCtor('fetch: timeout must be a number of milliseconds');
                }
                const redirect = options.redirect === undefined ? 'follow' : StringCtor(options.redirect);
                if (redirect !== 'follow' && redirect !== 'manual' && redirect !== 'error') {
                    throw new TypeErrorCtor('fetch: redirect must be follow, manual or error');
                }
                const list = own(headers).list;
                const id = host('fetch', StringCtor(url), method, stringify(list), bodyText, binary, timeout, redirect);
                if (typeof id !== 'number') {
                    throw new TypeErrorCtor('fetch is only available while the tool function runs');
                }
                apply(mapSet, waiting, [id, {resolve, reject}]);
            });
        }

        return {fetch, Headers, Response, deliver: function deliver(id, payload) {
            const w = apply(mapGet, waiting, [id]);
            if (w === undefined) {
                return;
            }
            apply(mapDelete, waiting, [id]);
            const r = parse(payload);
            if (r.error !== undefined) {
                w.reject(new TypeErrorCtor(r.error));
            } else {
                w.resolve(new Response(internal, r));
            }
        }};
    }
})
