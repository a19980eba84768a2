"""OpenConsult's triage engine: urgency, red flags, likely causes and a specialty for a post.

Pure Python with a YAML knowledge base; nothing here imports Django, so the forum, the command
line, the evaluation and the benchmark all call the same :func:`assess`.
"""

from __future__ import annotations

from triage.engine import ENGINE_VERSION, assess, kb_version, knowledge_base
from triage.kb import KnowledgeBaseError, load_knowledge_base
from triage.result import SPECIALTIES, URGENCY_LEVELS, Assessment, Cause, Evidence, Flag

__all__ = [
    "ENGINE_VERSION",
    "SPECIALTIES",
    "URGENCY_LEVELS",
    "Assessment",
    "Cause",
    "Evidence",
    "Flag",
    "KnowledgeBaseError",
    "assess",
    "kb_version",
    "knowledge_base",
    "load_knowledge_base",
]
