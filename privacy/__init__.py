"""tasklens.privacy: masking, exclusions, consent and retention, the floor between capture and storage.

Importing this package only sets the environment that keeps Presidio's `tldextract` offline (it must be
set before that library is first imported); the heavy parts load in `tasklens.privacy.masker`.
"""

import os

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
