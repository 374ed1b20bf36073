// Atoll guest bootstrap. Evaluated first in every fresh context, before the tool module, with three
// host functions. It installs console and timers, guards single huge allocations, and returns the
// runner the host drives. Everything it needs is captured here, so a tool that rewrites globals or
// prototypes only changes its own call.
(function atollBootstrap(hostLog, hostTimer, hostMemory, maxLogChars, memoryBudget, hostCpu, maxStringChars) {
    'use strict';
    const parse = JSON.parse;
    const stringify = JSON.stringify;
    const StringCtor = String;
    const ErrorCtor = Error;
    const TypeErrorCtor = TypeError;
    const RangeErrorCtor = RangeError;
    const apply = Reflect.apply;
    const defineProperty = Object.defineProperty;
    const objectKeys = Object.keys;
    const ENV_KEY = Symbol.for('atoll.env');
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
    // Properties the bootstrap defines are writable, configurable and not enumerable, like the builtins
    // they replace. The descriptors are written out: a spread ({value, ...shared}) costs an uncached
    // copy per property in every fresh context (docs/benchmarks.md, the bootstrap).
    defineProperty(globalThis, 'console', {value: console, writable: true, configurable: true});

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
    }, writable: true, configurable: true});
    defineProperty(globalThis, 'clearTimeout', {value: function clearTimeout(id) {
        if (apply(mapDelete, timers, [id])) {
            hostTimer('clear', id);
        }
    }, writable: true, configurable: true});

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
    // One handler for all of them: the element size comes from a map of the original constructors
    // (an ArrayBuffer's BYTES_PER_ELEMENT could be set by the tool through the proxy; a typed array's
    // cannot, but the map does not depend on that).
    const bytesPerElement = new Map();
    const typedHandler = {
        construct(target, args, newTarget) {
            guard(requestedLength(args[0]) * apply(mapGet, bytesPerElement, [target]));
            const options = args[1];
            if (options !== null && typeof options === 'object') {
                guard(requestedLength(options.maxByteLength));
            }
            return construct(target, args, newTarget);
        },
    };
    for (const name of ['ArrayBuffer', 'SharedArrayBuffer', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray',
            'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float16Array', 'Float32Array',
            'Float64Array', 'BigInt64Array', 'BigUint64Array']) {
        const C = globalThis[name];
        if (typeof C !== 'function') {
            continue;
        }
        apply(mapSet, bytesPerElement, [C, C.BYTES_PER_ELEMENT || 1]);
        const guarded = new Proxy(C, typedHandler);
        defineProperty(C.prototype, 'constructor', {value: guarded, writable: true, configurable: true});
        defineProperty(globalThis, name, {value: guarded, writable: true, configurable: true});
    }
    for (const method of ['transfer', 'transferToFixedLength', 'resize']) {
        const original = ArrayBufferCtor.prototype[method];
        if (typeof original === 'function') {
            defineProperty(ArrayBufferCtor.prototype, method, {value: function (length) {
                guard(requestedLength(length));
                return apply(original, this, arguments);
            }, writable: true, configurable: true});
        }
    }
    for (const method of ['repeat', 'padStart', 'padEnd']) {
        const original = StringCtor.prototype[method];
        defineProperty(StringCtor.prototype, method, {value: function (n) {
            const length = method === 'repeat' ? safeString(this).length * (+n || 0) : +n || 0;
            guard(length * 2);
            return apply(original, this, arguments);
        }, writable: true, configurable: true});
    }

    // Builtins whose result can be far larger than their inputs in one step (issue #18 W7: one
    // replaceAll allocated 1.05 GB under memoryMb 16) and that GraalJS's string bound (the engine's
    // js.string-length-limit, set by the host) does not check: replace/replaceAll, normalize, case
    // mapping, URI encoding, split, and the array builtins that allocate a dense copy. Ropes, join,
    // concat, String.raw and JSON.stringify are bounded by the engine and are not wrapped (a
    // per-value JSON.stringify replacer slowed every call's result and console path). Each wrapper
    // converts its inputs once (so a tool's toString or getter runs as often as without the guard)
    // and bounds the result before the original runs; where the size is only known while it runs
    // (function replacers) it counts as it goes and stops at the budget.
    // Sizes are in UTF-16 code units, charged at 2 bytes each like repeat.
    const StringProto = StringCtor.prototype;
    const ArrayProto = Array.prototype;
    const isArray = Array.isArray;
    const originalIndexOf = StringProto.indexOf;
    const originalReplaceAll = StringProto.replaceAll;
    // Non-overlapping occurrences of a non-empty string, counted in one builtin call (a JS loop of
    // indexOf allocates a few hundred bytes per occurrence in the interpreter).
    function occurrences(subject, search) {
        return (subject.length - apply(originalReplaceAll, subject, [search, '']).length) / search.length;
    }
    const regexpTest = RegExp.prototype.test;
    const symbolReplace = Symbol.replace;
    const max = Math.max;
    const floor = Math.floor;
    const originalExec = RegExp.prototype.exec;
    const originalMatch = RegExp.prototype[Symbol.match];
    const sourceGetter = Object.getOwnPropertyDescriptor(RegExp.prototype, 'source').get;
    const lookaround = /\(\?<?[=!]/;
    defineProperty(lookaround, 'exec', {value: originalExec});
    function lengthOf(v) {
        const n = +v;
        return n > 0 ? (n === Infinity ? 9007199254740991 : floor(n)) : 0;
    }
    // A string the engine would refuse (longer than its js.string-length-limit) is refused here too.
    function chars(units) {
        if (units > maxStringChars) {
            hostMemory(units * 2);
            throw new RangeErrorCtor('Invalid string length');
        }
        guard(units * 2);
    }
    function hostileThis(self, name) {
        if (self === null || self === undefined) {
            throw new TypeErrorCtor('String.prototype.' + name + ' called on null or undefined');
        }
        return typeof self === 'string' ? self : StringCtor(self);
    }
    function wrap(holder, name, make) {
        const original = holder[name];
        if (typeof original === 'function') {
            defineProperty(holder, name, {value: make(original), writable: true, configurable: true});
        }
    }
    // A function replacer's results are summed as the original calls it, before it concatenates them.
    function countingReplacer(fn, base) {
        let total = base;
        return function () {
            const r = StringCtor(apply(fn, this, arguments));
            total += r.length;
            chars(total);
            return r;
        };
    }
    // Upper bound of one substitution of a string replacement: literal text plus, per '$', the
    // longest thing a '$' pattern can insert (the whole subject). `context` counts $` and $' (the text
    // before and after the match), the others insert the match or a group.
    function substitutionBound(replacement, subjectLength) {
        let dollars = 0;
        let context = 0;
        for (let i = apply(originalIndexOf, replacement, ['$']); i >= 0;
                i = apply(originalIndexOf, replacement, ['$', i + 1])) {
            dollars++;
            const next = replacement[i + 1];
            if (next === '`' || next === "'") {
                context++;
            }
        }
        return {literal: replacement.length, dollars: dollars - context, context,
            each: replacement.length + dollars * subjectLength};
    }
    // Replacing in `subject`, at most `matches` times. When that bound does not fit the budget, a dry
    // run (replacing with '') counts each match's substitution: its literal text plus, per '$', the
    // longest of the match and its groups (or, for $` and $', the longer side). Then the real run.
    function boundReplace(subject, replacement, matches, run, regexp, count) {
        if (typeof replacement === 'function') {
            return run(countingReplacer(replacement, subject.length));
        }
        const rep = StringCtor(replacement);
        const b = substitutionBound(rep, subject.length);
        const loose = subject.length + matches * b.each;
        if (loose * 2 > memoryBudget && b.context === 0 && count !== undefined) {
            // Without $` and $', each '$' inserts the match or a group, which (without lookaround)
            // lie inside the match; matches do not overlap, so all of them together are at most the
            // subject once per '$'. Counting the matches needs no guest callback.
            const found = count();
            if (found >= 0) {
                chars(subject.length + found * b.literal + b.dollars * subject.length);
                return run(rep);
            }
        }
        if (loose * 2 > memoryBudget) {
            let total = subject.length;
            const lastIndex = regexp === undefined ? 0 : regexp.lastIndex;
            run(b.dollars + b.context === 0 ? function () {
                total += b.literal;
                chars(total);
                return '';
            } : function (match) {
                let longest = match.length;
                let k = 1;
                for (; k < arguments.length && typeof arguments[k] !== 'number'; k++) {
                    const g = arguments[k];
                    if (typeof g === 'string' && g.length > longest) {
                        longest = g.length;
                    }
                }
                const offset = arguments[k];
                total += b.literal + b.dollars * longest
                    + b.context * max(offset, subject.length - offset - match.length);
                chars(total);
                return '';
            });
            if (regexp !== undefined) {
                regexp.lastIndex = lastIndex;
            }
        }
        return run(rep);
    }
    for (const name of ['replace', 'replaceAll']) {
        wrap(StringProto, name, (original) => function (pattern, replacement) {
            if (pattern !== null && pattern !== undefined && (typeof pattern === 'object' || typeof pattern === 'function')
                    && pattern[symbolReplace] !== undefined) {
                // RegExp patterns go through RegExp.prototype[Symbol.replace], guarded below.
                return apply(original, this, arguments);
            }
            const subject = hostileThis(this, name);
            const search = StringCtor(pattern);
            const matches = name === 'replace' ? 1
                : search.length === 0 ? subject.length + 1 : floor(subject.length / search.length);
            return boundReplace(subject, replacement, matches,
                (rep) => apply(original, subject, [search, rep]), undefined, () => {
                    if (name === 'replace') {
                        return 1;
                    }
                    return search.length === 0 ? subject.length + 1 : occurrences(subject, search);
                });
        });
    }
    wrap(RegExp.prototype, symbolReplace, (original) => function (string, replacement) {
        const subject = StringCtor(string);
        const regexp = this;
        return boundReplace(subject, replacement, this.global ? subject.length + 1 : 1,
            (rep) => apply(original, regexp, [subject, rep]), regexp, () => {
                // Only for a plain RegExp whose exec is the builtin (a tool's exec could report any
                // matches) and whose groups cannot lie outside the match (no lookaround).
                let source;
                try {
                    source = apply(sourceGetter, regexp, []);
                } catch (e) {
                    return -1;
                }
                if (regexp.exec !== originalExec || apply(regexpTest, lookaround, [source])) {
                    return -1;
                }
                const lastIndex = regexp.lastIndex;
                const all = apply(originalMatch, regexp, [subject]);
                regexp.lastIndex = lastIndex;
                return all === null ? 0 : regexp.global ? all.length : 1;
            });
    });
    const TypedArrayProto = Object.getPrototypeOf(Int8Array.prototype);
    for (const name of ['join', 'toLocaleString']) {
        // A typed array's length is bounded by the buffer guard; each element prints in at most 24 chars.
        wrap(TypedArrayProto, name, (original) => function (separator) {
            const length = lengthOf(this.length);
            const sep = name === 'join' && separator !== undefined ? StringCtor(separator) : ',';
            chars(length * (24 + sep.length));
            return name === 'join' ? apply(original, this, [sep]) : apply(original, this, arguments);
        });
    }
    // Results at most `factor` times as long as the input: normalization (Unicode's published maximum
    // expansion), case mapping, URI encoding.
    for (const [holder, name, factor] of [[StringProto, 'toUpperCase', 3], [StringProto, 'toLowerCase', 3],
            [StringProto, 'toLocaleUpperCase', 3], [StringProto, 'toLocaleLowerCase', 3],
            [globalThis, 'encodeURI', 9], [globalThis, 'encodeURIComponent', 9], [globalThis, 'escape', 6]]) {
        wrap(holder, name, (original) => holder === globalThis
            ? function (value) {
                const s = StringCtor(value);
                chars(s.length * factor);
                return apply(original, undefined, [s]);
            }
            : function () {
                const self = hostileThis(this, name);
                chars(self.length * factor);
                return apply(original, self, arguments);
            });
    }
    wrap(StringProto, 'normalize', (original) => function normalize(form) {
        const self = hostileThis(this, 'normalize');
        const f = form === undefined ? 'NFC' : StringCtor(form);
        chars(self.length * (f === 'NFKC' || f === 'NFKD' ? 18 : f === 'NFD' ? 4 : 3));
        return apply(original, self, [f]);
    });
    // Array builtins that allocate a dense array of the receiver's length (which may be a sparse 2^32 - 1)
    // or of the sum of their arguments' lengths: 8 bytes per element.
    for (const name of ['fill', 'toReversed', 'toSorted', 'toSpliced', 'with']) {
        wrap(ArrayProto, name, (original) => function () {
            if (isArray(this)) {
                guard(lengthOf(this.length) * 8);
            }
            return apply(original, this, arguments);
        });
    }
    wrap(ArrayProto, 'concat', (original) => function concat(...args) {
        let total = isArray(this) ? lengthOf(this.length) : 1;
        for (let i = 0; i < args.length; i++) {
            const a = args[i];
            total += a !== null && typeof a === 'object' ? lengthOf(a.length) || 1 : 1;
        }
        guard(total * 8);
        return apply(original, this, args);
    });
    // split with a string separator creates one string per part (~45 bytes each on GraalJS: an
    // 8 M-character string split into characters allocated 360 MB in one call). Parts are charged
    // at 32 bytes; when the loose bound (every character a separator) does not fit, the separators
    // are counted first. RegExp separators go through RegExp.prototype[Symbol.split] (not bounded).
    const PART_BYTES = 32;
    const symbolSplit = Symbol.split;
    wrap(StringProto, 'split', (original) => function split(separator, limit) {
        if (separator !== null && separator !== undefined && (typeof separator === 'object' || typeof separator === 'function')
                && separator[symbolSplit] !== undefined) {
            return apply(original, this, arguments);
        }
        const subject = hostileThis(this, 'split');
        const lim = limit === undefined ? 4294967295 : limit >>> 0;
        const sep = separator === undefined ? undefined : StringCtor(separator);
        let parts = sep === undefined ? 1 : sep.length === 0 ? subject.length : floor(subject.length / sep.length) + 1;
        if (parts > lim) {
            parts = lim;
        }
        if (parts * PART_BYTES > memoryBudget && sep !== undefined && sep.length > 0) {
            const found = occurrences(subject, sep) + 1;
            parts = found < parts ? found : parts;
        }
        guard(parts * PART_BYTES);
        return apply(original, subject, [sep, lim]);
    });

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
                const env = parse(envJson);
                // Bindings that add to env (the gateway's progress/sample/elicit) leave their
                // functions here; a tool that tampers with it changes only its own call.
                const extra = globalThis[ENV_KEY];
                if (extra !== null && typeof extra === 'object') {
                    for (const key of objectKeys(extra)) {
                        env[key] = extra[key];
                    }
                }
                result = await fn(parse(argsJson), env);
            } catch (e) {
                settle('error', describe(e));
                return;
            }
            let json;
            try {
                json = stringify(result === undefined ? null : result);
            } catch (e) {
                // The engine's string bound: the JSON would be longer than any output limit allows.
                if (e instanceof RangeErrorCtor && e.message === 'Invalid string length') {
                    settle('too_large', 'string_limit');
                    return;
                }
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
