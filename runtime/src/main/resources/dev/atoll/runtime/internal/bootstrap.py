# Atoll guest bootstrap for Python. Evaluated first in every fresh GraalPy context, before the tool
# module, with the same host functions as the JavaScript bootstrap. It captures print and logging,
# maps MemoryError to the call's memory limit, and returns the runner the host drives. The last
# expression is the bootstrap function; the host removes its name from the module's globals.
#
# Unlike a JavaScript closure, a Python closure can be introspected (fn.__closure__), so a tool can
# reach the host functions captured here. They grant nothing the tool does not already have: log
# lines count against the same limits, and the memory function only ends the caller's own call.


def _atoll_hide_host(host_cpu, sys):
    # Side channels of the shared JVM (issue #18, W8): the CPU clocks of the guest thread and the
    # process (a guest thread serves call after call), resource usage, load average, the JVM's pid and
    # the host kernel. CPU clocks read the call's own CPU time from the host; the rest is hidden. The
    # replaced functions are not kept anywhere a tool could reach (closures are introspectable).
    import time
    import posix

    def thread_time_ns():
        return int(host_cpu())

    def thread_time():
        return host_cpu() / 1e9

    cpu_clocks = set()
    for name in ('CLOCK_THREAD_CPUTIME_ID', 'CLOCK_PROCESS_CPUTIME_ID'):
        if hasattr(time, name):
            cpu_clocks.add(getattr(time, name))
    realtime = getattr(time, 'CLOCK_REALTIME', 0)

    def clock_gettime(clock):
        if clock in cpu_clocks:
            return thread_time()
        return time.time() if clock == realtime else time.monotonic()

    def clock_gettime_ns(clock):
        if clock in cpu_clocks:
            return thread_time_ns()
        return time.time_ns() if clock == realtime else time.monotonic_ns()

    for name, fn in (('thread_time', thread_time), ('thread_time_ns', thread_time_ns),
                     ('process_time', thread_time), ('process_time_ns', thread_time_ns),
                     ('clock_gettime', clock_gettime), ('clock_gettime_ns', clock_gettime_ns)):
        setattr(time, name, fn)

    def unavailable(what):
        def refuse(*args, **kwargs):
            raise OSError(what + ' is not available in Atoll')
        return refuse

    def getpid():
        return 1

    def getppid():
        return 0

    def uname():
        return posix.uname_result(('Linux', 'atoll', '', '', ''))

    def times():
        return posix.times_result((thread_time(), 0.0, 0.0, 0.0, 0.0))

    replaced = {'getpid': getpid, 'getppid': getppid, 'getloadavg': unavailable('os.getloadavg'),
                'uname': uname, 'times': times}
    modules = [posix] + [sys.modules[m] for m in ('os',) if m in sys.modules]
    for module in modules:
        for name, fn in replaced.items():
            if hasattr(module, name):
                setattr(module, name, fn)
    if 'resource' in sys.builtin_module_names or 'resource' in sys.modules:
        import resource
        resource.getrusage = unavailable('resource.getrusage')


def _atoll_bootstrap(host_log, host_timer, host_memory, max_log_chars, memory_budget, host_cpu):
    # Imports nothing from the standard library: each module imported costs every fresh GraalPy
    # context hundreds of milliseconds (json, traceback and logging together ~1 s when cold). The
    # host parses the arguments' JSON text as a Python literal and writes the result as JSON itself.
    import builtins
    import sys

    evaluate = builtins.eval
    _atoll_hide_host(host_cpu, sys)
    globals().pop("_atoll_hide_host", None)
    original_import = builtins.__import__
    max_log_chars = int(max_log_chars)
    state = {'file': ''}
    literals = {'true': True, 'false': False, 'null': None}

    def emit(level, text):
        if len(text) > max_log_chars:
            text = text[:max_log_chars]
        host_log(level, text)

    class _Stream:
        """sys.stdout / sys.stderr: each complete line becomes one log entry."""

        def __init__(self, level):
            self._level = level
            self._buffer = []
            self._size = 0

        def write(self, s):
            s = str(s)
            if not s:
                return 0
            parts = s.split('\n')
            for part in parts[:-1]:
                self._add(part)
                self._flush_line()
            if parts[-1]:
                self._add(parts[-1])
            return len(s)

        def _add(self, part):
            if self._size < max_log_chars:
                self._buffer.append(part[:max_log_chars - self._size])
                self._size += len(part)

        def _flush_line(self):
            text = ''.join(self._buffer)
            self._buffer = []
            self._size = 0
            emit(self._level, text)

        def flush(self):
            pass

        def finish(self):
            if self._buffer:
                self._flush_line()

        def isatty(self):
            return False

        def writable(self):
            return True

    stdout = _Stream('log')
    stderr = _Stream('error')
    sys.stdout = stdout
    sys.stderr = stderr
    sys.__stdout__ = stdout
    sys.__stderr__ = stderr

    def configure_logging(logging):
        # Called once, the first time the tool imports logging: its records become log entries with
        # their level (root level INFO), instead of lines on stderr.
        class _Handler(logging.Handler):
            def emit(self, record):
                try:
                    text = self.format(record)
                except Exception:
                    text = '[unprintable log record]'
                n = record.levelno
                level = 'error' if n >= 40 else 'warn' if n >= 30 else 'info' if n >= 20 else 'debug'
                emit(level, text)

        root = logging.getLogger()
        root.handlers[:] = [_Handler()]
        root.setLevel(logging.INFO)

    def watching_import(name, globals=None, locals=None, fromlist=(), level=0):
        module = original_import(name, globals, locals, fromlist, level)
        logging = sys.modules.get('logging')
        if (builtins.__import__ is watching_import and logging is not None
                and not getattr(getattr(logging, '__spec__', None), '_initializing', False)
                and hasattr(logging, 'captureWarnings')):
            builtins.__import__ = original_import
            configure_logging(logging)
        return module

    builtins.__import__ = watching_import

    def safe_str(v):
        try:
            return str(v)
        except BaseException:
            return '[unprintable]'

    def describe(e):
        try:
            text = safe_str(e)
            message = type(e).__name__ + (': ' + text if text else '')
        except BaseException:
            message = '[unprintable error]'
        frames = []
        try:
            tb = e.__traceback__
            while tb is not None and len(frames) < 50:
                code = tb.tb_frame.f_code
                if code.co_filename == state['file']:
                    frames.append('at ' + code.co_name + ' (' + code.co_filename + ':' + str(tb.tb_lineno) + ')')
                tb = tb.tb_next
        except BaseException:
            pass
        return message[:4096], '\n'.join(frames)

    class _Env:
        """The env argument: env.tool, env.secrets and what the bindings add (env.fetch)."""

        def __init__(self, values):
            object.__setattr__(self, '_values', values)

        def __getattr__(self, name):
            try:
                return object.__getattribute__(self, '_values')[name]
            except KeyError:
                raise AttributeError('env has no attribute ' + repr(name)) from None

        def __getitem__(self, name):
            return object.__getattribute__(self, '_values')[name]

        def __contains__(self, name):
            return name in object.__getattribute__(self, '_values')

        def __repr__(self):
            return 'env(' + ', '.join(sorted(object.__getattribute__(self, '_values'))) + ')'

    class _Fields(dict):
        """env.secrets and env.tool: a dict whose keys are also attributes (env.secrets.API_KEY,
        as in JavaScript, and env.secrets['API_KEY'])."""

        __slots__ = ()

        def __getattr__(self, name):
            try:
                return self[name]
            except KeyError:
                raise AttributeError(name + ' is not declared') from None

    env_attrs = {}

    def parse(text):
        # JSON text written by Jackson is a Python literal once true/false/null are names.
        return evaluate(text, {'__builtins__': {}}, literals)

    def drive(coroutine):
        # No asyncio event loop (it needs sockets and threads): a coroutine may await other
        # coroutines, Atoll's awaitables and bare yields (asyncio.sleep(0)); nothing else.
        while True:
            try:
                yielded = coroutine.send(None)
            except StopIteration as stop:
                return stop.value
            if yielded is not None:
                try:
                    coroutine.throw(RuntimeError('awaiting ' + type(yielded).__name__ + ' is not supported:'
                                                 ' Atoll runs async tools without an asyncio event loop'))
                except StopIteration as stop:
                    return stop.value

    class Runner:
        def manifest(self, tool):
            return tool if isinstance(tool, dict) else None

        def run(self, fn, args_json, env_json, max_chars, settle, file):
            state['file'] = file
            try:
                values = parse(env_json)
                for key in ('tool', 'secrets'):
                    if isinstance(values.get(key), dict):
                        values[key] = _Fields(values[key])
                values.update(env_attrs)
                result = fn(parse(args_json), _Env(values))
                if hasattr(result, '__await__') and hasattr(result, 'send'):
                    result = drive(result)
            except MemoryError as e:
                host_memory(0)
                settle('error', *describe(e))
                return
            except BaseException as e:
                settle('error', *describe(e))
                return
            finally:
                stdout.finish()
                stderr.finish()
            settle('ok', result, '')

        def fire(self, timer_id):
            pass

    runner = Runner()
    runner.env_attrs = env_attrs
    return runner


_atoll_bootstrap
