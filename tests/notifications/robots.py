"""Real HTTP servers on 127.0.0.1 standing in for the WeChat Work / DingTalk robots, the generic SMS
gateway (``Robot``) and Aliyun SMS (``AliyunSms``): each records the requests and answers from a script."""
import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OK = (200, {"errcode": 0, "errmsg": "ok"})


def answer_json(handler: BaseHTTPRequestHandler, status: int, answer: dict) -> None:
    data = json.dumps(answer, ensure_ascii=False).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json;charset=utf-8")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class Robot:
    def __init__(self, answers=None):
        """``answers``: (HTTP status, JSON) to give in turn; then ``OK`` forever."""
        self.answers, self.received = list(answers or []), []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                url = urllib.parse.urlsplit(self.path)
                robot.received.append({"path": url.path, "query": dict(urllib.parse.parse_qsl(url.query)),
                                       "headers": dict(self.headers), "body": json.loads(raw)})
                answer_json(self, *(robot.answers.pop(0) if robot.answers else OK))

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class AliyunSms:
    """Aliyun SMS's ``SendSms`` as its RPC API behaves: a form POST whose signature it checks with
    the AccessKey secret (``SignatureDoesNotMatch``, HTTP 400, if it is wrong), then answers from a
    script of (HTTP status, JSON), then ``{"Code": "OK"}``. Records each request's form fields."""

    def __init__(self, secret: str, answers=None):
        self.secret, self.answers, self.received = secret, list(answers or []), []
        sms = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"])).decode()
                form = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
                sms.received.append({"form": form, "content_type": self.headers["Content-Type"]})
                if form.pop("Signature", None) != sms.expected_signature(form):
                    status, answer = 400, {"Code": "SignatureDoesNotMatch", "RequestId": "R-SIG",
                                           "Message": "Specified signature is not matched with our calculation."}
                else:
                    status, answer = sms.answers.pop(0) if sms.answers else (
                        200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "R-OK"})
                answer_json(self, status, answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def expected_signature(self, form: dict) -> str:
        """The server side of the RPC signature, written out from the documentation's steps."""
        def enc(text):
            return urllib.parse.quote(text, safe="").replace("%7E", "~")

        canonical = "&".join(f"{enc(k)}={enc(form[k])}" for k in sorted(form))
        to_sign = "POST&%2F&" + enc(canonical)
        digest = hmac.new((self.secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
        return base64.b64encode(digest).decode()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
