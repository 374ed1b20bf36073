// Atoll guest bootstrap. Evaluated first in every fresh context, before the tool module, with two
// host functions. It installs console and timers and returns the runner the host drives. Everything
// it needs is captured here, so a tool that rewrites globals or prototypes only changes its own call.
(function atollBootstrap(hostLog, hostTimer, maxLogChars) {
    'use strict';
    const parse = JSON.parse;
    const stringify = JSON.stringify;
    const StringCtor = String;
    const ErrorCtor = Error;
    const TypeErrorCtor = TypeError;
    const RangeErrorCtor = RangeError;
    const apply = Reflect.apply;
    const defineProperty = Object.defineProperty;
    const timers = new Map();
    let settleCall = null;
    const mapGet = Map.prototype.get;
    const mapSet = Map.prototype.set;
    const mapDelete = Map.prototype.delete;

    function safeString(v) {
        try {
            return StringCtor(v);
        } catch (e) {
            return '[unprintable]';
        }
    }

    function format(v) {
        if (typeof v === 'string') {
            return v;
        }
        if (v instanceof ErrorCtor) {
            return safeString(v.stack || v);
        }
        if (v !== null && typeof v === 'object') {
            try {
                const s = stringify(v);
                if (s !== undefined) {
                    return s;
                }
            } catch (e) {
                // circular or hostile: fall through
            }
        }
        return safeString(v);
    }

    const console = {};
    for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
        console[level] = function (...args) {
            let out = '';
            for (let i = 0; i < args.length; i++) {
                out += (i === 0 ? '' : ' ') + format(args[i]);
            }
            hostLog(level, out.length > maxLogChars ? out.slice(0, maxLogChars) : out);
        };
    }
    const hidden = {writable: true, configurable: true, enumerable: false};
    defineProperty(globalThis, 'console', {value: console, ...hidden});

    defineProperty(globalThis, 'setTimeout', {value: function setTimeout(fn, delay, ...args) {
        if (typeof fn !== 'function') {
            throw new TypeErrorCtor('setTimeout: the callback must be a function');
        }
        const id = hostTimer('set', +delay || 0);
        if (id < 0) {
            throw new RangeErrorCtor('setTimeout: too many pending timers');
        }
        apply(mapSet, timers, [id, () => apply(fn, undefined, args)]);
        return id;
    }, ...hidden});
    defineProperty(globalThis, 'clearTimeout', {value: function clearTimeout(id) {
        if (apply(mapDelete, timers, [id])) {
            hostTimer('clear', id);
        }
    }, ...hidden});

    function describe(e) {
        let message;
        let stack = '';
        try {
            if (e instanceof ErrorCtor) {
                message = safeString(e.name) + ': ' + safeString(e.message);
                stack = safeString(e.stack);
            } else {
                message = 'Uncaught ' + format(e);
            }
        } catch (x) {
            message = '[unprintable error]';
        }
        return stringify({message: safeString(message), stack: safeString(stack)});
    }

    return {
        manifest(tool) {
            if (tool === null || typeof tool !== 'object') {
                return 'null';
            }
            return stringify(tool);
        },
        async run(fn, argsJson, envJson, maxChars, settle) {
            settleCall = settle;
            let result;
            try {
                result = await fn(parse(argsJson), parse(envJson));
            } catch (e) {
                settle('error', describe(e));
                return;
            }
            let json;
            try {
                json = stringify(result === undefined ? null : result);
            } catch (e) {
                settle('bad_output', describe(e));
                return;
            }
            if (json === undefined) {
                settle('bad_output', stringify({message: 'the result is a ' + typeof result + ', not JSON', stack: ''}));
                return;
            }
            if (json.length > maxChars) {
                settle('too_large', StringCtor(json.length));
                return;
            }
            settle('ok', json);
        },
        fire(id) {
            const f = apply(mapGet, timers, [id]);
            if (f !== undefined) {
                apply(mapDelete, timers, [id]);
                try {
                    f();
                } catch (e) {
                    // An exception escaping a timer callback ends the call, as it would end a process.
                    settleCall('error', describe(e));
                }
            }
        },
    };
})
