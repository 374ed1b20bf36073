// Atoll client binding, guest side: env.progress, env.sample and env.elicit for JavaScript tools.
// Evaluated in every fresh context after the bootstrap; the bootstrap adds what it leaves under
// Symbol.for('atoll.env') to each call's env. The host checks every value that crosses.
(function atollClient(host) {
    'use strict';
    const parse = JSON.parse;
    const stringify = JSON.stringify;
    const PromiseCtor = Promise;
    const ErrorCtor = Error;
    const TypeErrorCtor = TypeError;
    const StringCtor = String;
    const pending = new Map();
    const mapGet = Map.prototype.get;
    const mapSet = Map.prototype.set;
    const mapDelete = Map.prototype.delete;
    const apply = Reflect.apply;

    function request(method, params) {
        let json;
        try {
            json = stringify(params === undefined ? {} : params);
        } catch (e) {
            return PromiseCtor.reject(new TypeErrorCtor(method + ': the request must be JSON'));
        }
        const id = host('request', method, json === undefined ? '{}' : json);
        if (typeof id !== 'number') {
            return PromiseCtor.reject(new ErrorCtor(typeof id === 'string' ? id : method + ' is not available'));
        }
        return new PromiseCtor((resolve, reject) => apply(mapSet, pending, [id, {resolve, reject}]));
    }

    const api = {
        progress(progress, total, message) {
            return host('progress', +progress, total === undefined || total === null ? -1 : +total,
                message === undefined || message === null ? undefined : StringCtor(message)) === true;
        },
        sample(params) {
            return request('sampling/createMessage', params);
        },
        elicit(params) {
            return request('elicitation/create', params);
        },
    };
    Object.defineProperty(globalThis, Symbol.for('atoll.env'), {value: api, writable: true, configurable: true,
        enumerable: false});
    return function deliver(id, payload) {
        const p = apply(mapGet, pending, [id]);
        if (p === undefined) {
            return;
        }
        apply(mapDelete, pending, [id]);
        let r;
        try {
            r = parse(payload);
        } catch (e) {
            p.reject(new ErrorCtor('the host answered with something that is not JSON'));
            return;
        }
        if (r !== null && typeof r === 'object' && 'ok' in r) {
            p.resolve(r.ok);
        } else {
            p.reject(new ErrorCtor(r !== null && typeof r === 'object' ? StringCtor(r.error) : 'failed'));
        }
    };
})
