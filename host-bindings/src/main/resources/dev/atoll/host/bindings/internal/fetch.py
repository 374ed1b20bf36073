# Atoll fetch binding, guest side for Python. Evaluated in every fresh GraalPy context after the
# bootstrap; the last expression is the install function the runtime calls with the host function,
# wait(id) and the dict of env attributes. It adds env.fetch: synchronous, it blocks the tool while
# the host performs the request (under the same egress policy, secrets and receipt as JavaScript's
# fetch) and returns a Response. The host keeps bodies until they are read.


def _atoll_fetch(host, wait, env_attrs):
    results = {}
    modules = {}
    methods = ('DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH')

    def json_module():
        # Imported on first use: json costs every fresh context that imports it, and most tools
        # never fetch.
        if 'json' not in modules:
            import json
            modules['json'] = json
        return modules['json']

    class FetchError(Exception):
        """A request that did not produce a response: refused by policy, timed out, or failed."""

    class Headers:
        """Response headers: case-insensitive get, items(), and `in`."""

        def __init__(self, pairs):
            self._pairs = [(str(k).lower(), str(v)) for k, v in pairs]

        def get(self, name, default=None):
            values = [v for k, v in self._pairs if k == str(name).lower()]
            return ', '.join(values) if values else default

        def __getitem__(self, name):
            value = self.get(name)
            if value is None:
                raise KeyError(name)
            return value

        def __contains__(self, name):
            return any(k == str(name).lower() for k, _ in self._pairs)

        def items(self):
            return list(self._pairs)

        def __repr__(self):
            return 'Headers(' + repr(self._pairs) + ')'

    class Response:
        """What env.fetch returns: status, ok, headers, url, redirected; text(), json(), bytes()."""

        def __init__(self, r):
            self._r = r
            self._used = False
            self.status = int(r['status'])
            self.status_text = r.get('statusText', '')
            self.url = r.get('url', '')
            self.redirected = bool(r.get('redirected', False))
            self.headers = Headers(r.get('headers', []))
            self.ok = 200 <= self.status <= 299

        def _body(self, kind):
            if self._used:
                raise RuntimeError('the response body has already been read')
            self._used = True
            v = host('body', self._r['body'], kind)
            if not isinstance(v, str):
                raise RuntimeError('the response body is no longer available')
            return v

        def text(self):
            return self._body('text')

        def json(self):
            return json_module().loads(self._body('text'))

        def bytes(self):
            return self._body('bytes').encode('latin-1')

        def __await__(self):
            # `await env.fetch(...)` in an async main works too: the request has completed already.
            return self
            yield

        def __repr__(self):
            return '<Response ' + str(self.status) + ' ' + self.url + '>'

    def fetch(url, method='GET', headers=None, body=None, timeout=0, redirect='follow'):
        """Sends one HTTP request through Atoll's egress policy and returns the Response."""
        json = json_module()
        method = str(method)
        if method.upper() in methods:
            method = method.upper()
        if method in ('CONNECT', 'TRACE', 'TRACK'):
            raise ValueError('fetch: method ' + method + ' is not allowed')
        pairs = []
        if headers is not None:
            items = headers.items() if hasattr(headers, 'items') else headers
            for pair in items:
                name, value = pair
                pairs.append([str(name), str(value).strip()])
        body_text = None
        binary = False
        if body is not None:
            if method in ('GET', 'HEAD'):
                raise ValueError('fetch: a ' + method + ' request cannot have a body')
            if isinstance(body, (bytes, bytearray, memoryview)):
                body_text = bytes(body).decode('latin-1')
                binary = True
            elif isinstance(body, (dict, list)):
                body_text = json.dumps(body)
                if not any(n.lower() == 'content-type' for n, _ in pairs):
                    pairs.append(['content-type', 'application/json'])
            else:
                body_text = str(body)
                if not any(n.lower() == 'content-type' for n, _ in pairs):
                    pairs.append(['content-type', 'text/plain;charset=UTF-8'])
        timeout = float(timeout)
        if not (0 <= timeout < 1e9):
            raise ValueError('fetch: timeout must be a number of milliseconds')
        if redirect not in ('follow', 'manual', 'error'):
            raise ValueError('fetch: redirect must be follow, manual or error')
        op = host('fetch', str(url), method, json.dumps(pairs), body_text, binary, timeout, redirect)
        if not isinstance(op, (int, float)):
            raise RuntimeError('fetch is only available while the tool function runs')
        op = int(op)
        if op not in results and not wait(op):
            raise FetchError('fetch: the call ended before the response arrived')
        r = json.loads(results.pop(op))
        if 'error' in r:
            raise FetchError(r['error'])
        return Response(r)

    fetch.FetchError = FetchError
    env_attrs['fetch'] = fetch

    def deliver(op, payload):
        results[int(op)] = payload

    return deliver


_atoll_fetch
