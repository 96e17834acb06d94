"""The quick start's embedded broker (kombu's file-system transport) keeps all its files under var/."""

from kombu import Connection, Exchange, Queue

from crowdplatform.settings.base import filesystem_broker_options


def test_a_message_through_the_file_system_broker_leaves_no_files_in_the_current_folder(
    tmp_path, monkeypatch
):
    # given the quick start's broker options, for a folder of the test's own, used from an empty folder
    broker = tmp_path / "var" / "broker"
    broker.mkdir(parents=True)
    options = filesystem_broker_options(broker)
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    exchange = Exchange("sweeps", type="direct")
    queue = Queue("sweeps", exchange, routing_key="sweeps")
    # when a message is published and consumed
    with Connection("filesystem://", transport_options=options) as conn:
        conn.Producer().publish({"task": "sweep"}, exchange=exchange, routing_key="sweeps", declare=[queue])
        message = queue(conn.channel()).get()
        assert message.payload == {"task": "sweep"}
        message.ack()
    # then the transport wrote under the broker folder only
    assert list(workdir.iterdir()) == []
    assert (broker / "control").is_dir()
