"""Identification stage: what each confirmed track is (class) and whose it is (identity).

`IdentityBook` is the stage: fed every sensor look (`detections`) and stepped once per pipeline step
(`step`) with the confirmed tracks and the cooperative reports correlated with them; it emits
IDENTITY_CHANGED and SPOOF_ALERT events. `Classifier` is its classification half on its own (the
evaluation uses it directly).
"""

from bastion.identify.classifier import Classifier
from bastion.identify.identity import IdentityBook

__all__ = ["Classifier", "IdentityBook"]
