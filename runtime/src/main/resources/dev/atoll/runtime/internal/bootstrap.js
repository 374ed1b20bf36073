// Atoll guest bootstrap. Evaluated first in every fresh context, before the tool module, with three
// host functions. It installs console and timers, guards single huge allocations, and returns the
// runner the host drives. Everything it needs is captured here, so a tool that rewrites globals or
// prototypes only changes its own call.
(function atollBootstrap(hostLog, hostTimer, hostMemory, maxLogChars, memoryBudget) {
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

    // One builtin call can allocate up to ~2 GB (a typed array, a repeated string) before the host
    // watchdog gets a chance to look. Requests larger than the call's whole memory budget are refused
    // up front and end the call as memory_exceeded, whether or not the tool catches the error.
    function guard(bytes) {
        if (bytes > memoryBudget) {
            hostMemory(bytes);
            throw new RangeErrorCtor('allocation of ' + bytes + ' bytes exceeds the memory limit');
        }
    }
    function requestedLength(arg) {
        try {
            if (arg !== null && (typeof arg === 'object' || typeof arg === 'function')) {
                return arg instanceof ArrayBufferCtor || arg instanceof SharedArrayBufferCtor ? 0 : +arg.length || 0;
            }
            return +arg || 0;
        } catch (e) {
            return 0;
        }
    }
    const ArrayBufferCtor = ArrayBuffer;
    const SharedArrayBufferCtor = typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : ArrayBuffer;
    const construct = Reflect.construct;
    for (const name of ['ArrayBuffer', 'SharedArrayBuffer', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray',
            'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float16Array', 'Float32Array',
            'Float64Array', 'BigInt64Array', 'BigUint64Array']) {
        const C = globalThis[name];
        if (typeof C !== 'function') {
            continue;
        }
        const bytesPer = C.BYTES_PER_ELEMENT || 1;
        const guarded = new Proxy(C, {
            construct(target, args, newTarget) {
                guard(requestedLength(args[0]) * bytesPer);
                const options = args[1];
                if (options !== null && typeof options === 'object') {
                    guard(requestedLength(options.maxByteLength));
                }
                return construct(target, args, newTarget);
            },
        });
        defineProperty(C.prototype, 'constructor', {value: guarded, ...hidden});
        defineProperty(globalThis, name, {value: guarded, ...hidden});
    }
    for (const method of ['transfer', 'transferToFixedLength', 'resize']) {
        const original = ArrayBufferCtor.prototype[method];
        if (typeof original === 'function') {
            defineProperty(ArrayBufferCtor.prototype, method, {value: function (length) {
                guard(requestedLength(length));
                return apply(original, this, arguments);
            }, ...hidden});
        }
    }
    for (const method of ['repeat', 'padStart', 'padEnd']) {
        const original = StringCtor.prototype[method];
        defineProperty(StringCtor.prototype, method, {value: function (n) {
            const length = method === 'repeat' ? safeString(this).length * (+n || 0) : +n || 0;
            guard(length * 2);
            return apply(original, this, arguments);
        }, ...hidden});
    }

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
        return stringify({message: safeString(message).slice(0, 4096), stack: safeString(stack).slice(0, 16384)});
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
