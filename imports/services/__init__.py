"""Writes of the imports app (keyword-only, actor first, audited)."""

from imports.services.jobs import (
    import_allowed,
    import_job_check,
    import_job_commit,
    import_job_create,
    import_job_fail,
    import_job_map,
    import_job_progress,
    import_mapping_apply,
    import_mapping_save,
)
from imports.services.retention import import_file_retention_days, import_files_expire
from imports.services.spreadsheets import import_refused_rows_xlsx, import_template_xlsx

__all__ = [
    "import_allowed",
    "import_file_retention_days",
    "import_files_expire",
    "import_job_check",
    "import_job_commit",
    "import_job_create",
    "import_job_fail",
    "import_job_map",
    "import_job_progress",
    "import_mapping_apply",
    "import_mapping_save",
    "import_refused_rows_xlsx",
    "import_template_xlsx",
]
