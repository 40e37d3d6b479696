"""docker-compose.yml: what a deployment relies on. Checked as YAML here; where a
docker compose (v2 plugin or v1) is installed, also through `config`."""

import shutil
import subprocess

import pytest
import yaml

from tests.ops.conftest import BASE_DIR

# The suite's autouse fixtures read the test database.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def _minutes(value: str) -> float:
    value = str(value).split(":-")[-1].rstrip("}")
    unit = value[-1]
    return float(value[:-1]) * {"s": 1 / 60, "m": 1, "h": 60}[unit]


def test_worker_and_beat_start_after_migrations_and_outlast_the_longest_job(compose):
    from django.conf import settings

    from config.celery import app

    services = compose["services"]
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    longest = max(
        [settings.CELERY_TASK_TIME_LIMIT]
        + [
            task.time_limit or 0
            for name, task in app.tasks.items()
            if not name.startswith("celery.")
        ]
    )
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert "migrate" not in " ".join(map(str, services[name].get("command", []))), name
    for name in ("worker", "beat"):
        assert _minutes(services[name]["stop_grace_period"]) * 60 > longest, name


def test_the_site_does_not_wait_for_redis_and_its_probe_is_the_database_only(compose):
    web = compose["services"]["web"]
    assert "redis" not in web["depends_on"]
    probe = " ".join(web["healthcheck"]["test"])
    assert "/healthz/" in probe and "/healthz/broker/" not in probe


def test_every_app_container_reads_the_env_file_and_the_password_is_required(compose):
    for name in ("migrate", "web", "worker", "beat", "backup"):
        assert compose["services"][name]["env_file"] == [".env"], name
    password = compose["services"]["db"]["environment"]["POSTGRES_PASSWORD"]
    assert password.startswith("${POSTGRES_PASSWORD:?")


def _compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_compose_refuses_to_start_without_a_database_password(tmp_path):
    command = _compose_command()
    if command is None:
        pytest.skip("no docker compose installed")
    shutil.copy(BASE_DIR / "docker-compose.yml", tmp_path)
    (tmp_path / ".env").write_text("SECRET_KEY=x\n")
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [*command, "config"], cwd=tmp_path, capture_output=True, text=True, env=env,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD is required" in result.stderr
    (tmp_path / ".env").write_text("SECRET_KEY=x\nPOSTGRES_PASSWORD=pw123\n")
    result = subprocess.run(
        [*command, "config"], cwd=tmp_path, capture_output=True, text=True, env=env,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "postgres://crm:pw123@db:5432/crm" in result.stdout
