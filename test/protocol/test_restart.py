"""shutdown_request with restart, through jupyter_client's KernelManager."""
from conftest import drain, execute


def test_restart_gives_a_fresh_kernel_that_serves(kernel, kc):
    km, _ = kernel
    execute(kc, "const beforeRestart = 1;")
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=120)
    drain(kc)
    err = execute(kc, "beforeRestart").error
    assert err["ename"] == "ReferenceError"
    assert execute(kc, "%%python\n6 * 7").result == "42"
    assert execute(kc, "const afterRestart = 1;").reply["content"]["execution_count"] == 3


def test_shutdown_request_is_answered(kernel, kc):
    km, _ = kernel
    msg = kc.session.msg("shutdown_request", {"restart": False})
    kc.control_channel.send(msg)
    reply = kc.get_control_msg(timeout=30)
    assert reply["msg_type"] == "shutdown_reply"
    assert reply["content"]["status"] == "ok" and reply["content"]["restart"] is False
    for _ in range(100):
        if not km.is_alive():
            break
        import time
        time.sleep(0.1)
    assert not km.is_alive()
