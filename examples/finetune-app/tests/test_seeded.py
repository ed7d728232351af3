"""Seed data: jobs that already finished, their checkpoints and permissions, set up in a fixture."""

import pytest

import ftclient


@pytest.fixture
def ft_emulator(ft_emulator):
    """Seed data for this module: a finished job whose checkpoints are shared with a project."""
    job = ft_emulator.add_job("succeeded", suffix="seeded")
    ft_emulator.add_permissions(job["fine_tuned_model"], ["proj_seed"])
    return ft_emulator


async def test_seeded_jobs_checkpoints_and_permissions(ft_client):
    jobs = await ft_client.jobs.list().to_list()
    [seeded] = [job for job in jobs if job.fine_tuned_model and ":seeded:" in job.fine_tuned_model]
    checkpoints = await ft_client.checkpoints.list(seeded.id).to_list()
    assert len(checkpoints) == 3
    permissions = await ft_client.permissions.list(seeded.fine_tuned_model).to_list()
    assert [p.project_id for p in permissions] == ["proj_seed"]


@pytest.mark.ft_emulator(require_files=True)  # as on the service: files must exist
async def test_a_job_needs_an_uploaded_file(ft_client, ft_training_file):
    with pytest.raises(ftclient.BadRequestError, match="invalid training_file"):
        await ft_client.jobs.create(model="gpt-4o-mini", training_file="file-never-uploaded")
    job = await ft_client.jobs.create(model="gpt-4o-mini", training_file=ft_training_file)
    assert (await ft_client.jobs.wait(job.id)).status == "succeeded"
