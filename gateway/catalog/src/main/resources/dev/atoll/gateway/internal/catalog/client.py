# Atoll client binding, guest side for Python: env.progress(progress, total=None, message=None),
# env.sample(params) and env.elicit(params). The last two block the tool until the client answers
# (or the call's wall limit); the host checks every value that crosses.


def _atoll_client(host, wait, env_attrs):
    results = {}
    modules = {}

    def json_module():
        if 'json' not in modules:
            import json
            modules['json'] = json
        return modules['json']

    class ClientError(Exception):
        """The client could not take the request, refused it, or did not answer in time."""

    def progress(progress, total=None, message=None):
        return host('progress', float(progress), -1.0 if total is None else float(total),
                    None if message is None else str(message)) is True

    def request(method, params):
        json = json_module()
        try:
            text = json.dumps({} if params is None else params)
        except (TypeError, ValueError) as e:
            raise TypeError(method + ': the request must be JSON') from None
        op = host('request', method, text)
        if isinstance(op, str):
            raise ClientError(op)
        if not isinstance(op, (int, float)):
            raise ClientError(method + ' is not available')
        op = int(op)
        if not wait(op):
            raise ClientError(method + ': the call ended before the client answered')
        answer = json.loads(results.pop(op))
        if 'ok' in answer:
            return answer['ok']
        raise ClientError(str(answer.get('error', 'failed')))

    def sample(params):
        return request('sampling/createMessage', params)

    def elicit(params):
        return request('elicitation/create', params)

    env_attrs['progress'] = progress
    env_attrs['sample'] = sample
    env_attrs['elicit'] = elicit

    def deliver(op, payload):
        results[int(op)] = payload

    return deliver


_atoll_client
