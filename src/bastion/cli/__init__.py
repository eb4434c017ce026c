"""The `bastion` command line. Bad input ends with exit code 2 and one message; never a traceback.

Each command lives in its own module and registers itself on import; add a module's import here.
"""

from bastion.cli import eval_classify as _eval_classify
from bastion.cli import eval_engage as _eval_engage
from bastion.cli import eval_warn as _eval_warn
from bastion.cli import replay as _replay
from bastion.cli import run as _run
from bastion.cli import serve as _serve
from bastion.cli import simulate as _simulate
from bastion.cli.app import app, eval_app
from bastion.cli.run import summarise_result

__all__ = ["app", "eval_app", "summarise_result"]
del _run
del _serve, _replay, _simulate
del _eval_warn
del _eval_engage
del _eval_classify
