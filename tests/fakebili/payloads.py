"""JSON bodies in the shapes the real API returns, built from the catalog."""

from __future__ import annotations

import html
import math
import re
import uuid
from typing import Any

from tests.fakebili.catalog import Upload
from tests.fakebili.signing import WbiKeys

Json = dict[str, Any]

# Bilibili's own message text for each code the fake can return.
CODE_MESSAGES = {
    0: "0",
    -101: "账号未登录",
    -400: "请求错误",
    -403: "访问权限不足",
    -404: "啥都木有",
    -412: "request was banned",
    -352: "风控校验失败",
    -503: "服务调用超时",
    -509: "请求过于频繁，请稍后再试",
    -799: "请求过于频繁，请稍后再试",
    -1200: "被降级过滤的请求",
    62002: "稿件不可见",
    62004: "稿件审核中",
    62012: "仅UP主自己可见",
}

RISK_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>出错啦! - bilibili.com</title></head>
<body><div class="error-container"><p>由于触发哔哩哔哩安全风控策略，
该次访问请求被拒绝。</p><p>The request was rejected because of the bilibili security
control policy.</p></div></body></html>
"""


def envelope(code: int, data: Any = None, *, with_data: bool = True) -> Json:
    """Return the common `{code, message, ttl, data}` wrapper."""
    body: Json = {"code": code, "message": CODE_MESSAGES.get(code, "error"), "ttl": 1}
    if with_data:
        body["data"] = data
    return body


def voucher() -> str:
    """Return a fresh risk-control voucher id."""
    return f"voucher_{uuid.uuid4()}"


def error_body(code: int) -> Json:
    """Return the body for an error code; -352 carries a v_voucher as on Bilibili."""
    if code == -352:
        return envelope(code, {"v_voucher": voucher()})
    return envelope(code, with_data=False) if code == -412 else envelope(code)


def voucher_only_body() -> Json:
    """Return code 0 with nothing but a v_voucher: a rejected WBI signature."""
    return envelope(0, {"v_voucher": voucher()})


def html_page(status: int, reason: str) -> str:
    """Return a small HTML error page for an HTTP status."""
    return (
        f"<!DOCTYPE html>\n<html><head><title>{status}</title></head>\n"
        f"<body><h1>{status}</h1><p>{html.escape(reason)}</p></body></html>\n"
    )


def nav_data(keys: WbiKeys, *, logged_in: bool, vip: bool) -> Json:
    """Return the nav `data`: login state and the WBI key URLs."""
    if not logged_in:
        return {"isLogin": False, "wbi_img": keys.nav_urls()}
    return {
        "isLogin": True,
        "mid": 3_493_118_000,
        "uname": "bilimq测试用户",
        "face": "https://i0.hdslb.com/bfs/face/member/noface.jpg",
        "money": 12.5,
        "vipStatus": 1 if vip else 0,
        "vipType": 2 if vip else 0,
        "wbi_img": keys.nav_urls(),
    }


def highlight(title: str, keyword: str) -> str:
    """Escape `title` as HTML and wrap keyword terms in `<em class="keyword">`."""
    spans = _match_spans(title, keyword.split())
    parts: list[str] = []
    position = 0
    for start, end in spans:
        parts.append(html.escape(title[position:start]))
        parts.append(f'<em class="keyword">{html.escape(title[start:end])}</em>')
        position = end
    parts.append(html.escape(title[position:]))
    return "".join(parts)


def _match_spans(title: str, terms: list[str]) -> list[tuple[int, int]]:
    """Return sorted, non-overlapping spans of case-insensitive term matches."""
    found = []
    for term in sorted(set(terms), key=len, reverse=True):
        for match in re.finditer(re.escape(term), title, re.IGNORECASE):
            found.append((match.start(), match.end()))
    spans: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if spans and start < spans[-1][1]:
            continue
        spans.append((start, end))
    return spans


def search_duration(seconds: int) -> str:
    """Return a duration as search shows it: unpadded minutes:seconds."""
    return f"{seconds // 60}:{seconds % 60}"


def search_item(upload: Upload, keyword: str, base: str) -> Json:
    """Return one search result item for `upload`."""
    return {
        "type": upload.kind,
        "id": upload.aid,
        "author": upload.author,
        "mid": upload.mid,
        "typeid": str(upload.typeid),
        "typename": upload.typename,
        "arcurl": f"{base}/video/av{upload.aid}",
        "aid": upload.aid,
        "bvid": upload.bvid,
        "title": highlight(upload.title, keyword),
        "description": upload.description,
        "arcrank": "0",
        "pic": f"{base}/cover/{upload.bvid}.jpg",
        "play": upload.play,
        "video_review": upload.play // 180,
        "favorites": upload.play // 40,
        "tag": ",".join(upload.tags),
        "review": upload.play // 900,
        "pubdate": upload.pubdate,
        "senddate": upload.pubdate + 37,
        "duration": search_duration(upload.duration),
        "badgepay": False,
        "hit_columns": ["title", "tag"],
        "view_type": "",
        "is_pay": 0,
        "is_union_video": 0,
        "rec_tags": None,
        "new_rec_tags": [],
        "rank_score": upload.play * 11,
        "like": upload.play // 25,
        "upic": "https://i0.hdslb.com/bfs/face/member/noface.jpg",
        "corner": "",
        "cover": "",
        "desc": "",
        "url": "",
        "rec_reason": "",
        "danmaku": upload.play // 180,
        "biz_data": None,
        "is_charge_video": 1 if upload.is_charge else 0,
        "vt": 0,
        "enable_vt": 0,
        "vt_display": "",
        "subtitle": "",
        "episode_count_text": "",
        "release_status": 0,
        "is_intervene": 0,
    }


def _search_meta(page: int, page_size: int, total: int) -> Json:
    return {
        "seid": str(9_339_963_973_663_795_027 + total * 7919 + page),
        "page": page,
        "pagesize": page_size,
        "numResults": total,
        "numPages": math.ceil(total / page_size),
        "suggest_keyword": "",
        "rqt_type": "search",
        "cost_time": {"total": "0.031262", "as_request": "0.028400"},
        "exp_list": {"5510": True, "7713": True},
        "egg_hit": 0,
        "show_column": 0,
        "in_white_key": 0,
        "in_black_key": 0,
    }


def search_type_data(
    uploads: list[Upload], keyword: str, page: int, page_size: int, base: str
) -> Json:
    """Return the `data` of search/type for one page of `uploads`.

    With no uploads at all the `result` key is absent, as for an unknown keyword;
    a page past the end has an empty `result` list.
    """
    data = _search_meta(page, page_size, len(uploads))
    if uploads:
        chosen = uploads[(page - 1) * page_size : page * page_size]
        data["result"] = [search_item(upload, keyword, base) for upload in chosen]
    return data


def search_all_data(uploads: list[Upload], keyword: str, base: str) -> Json:
    """Return the `data` of search/all/v2: result groups, videos in one of them."""
    videos = [search_item(u, keyword, base) for u in uploads[:20] if u.kind == "video"]
    data = _search_meta(1, 20, len(videos))
    data["pageinfo"] = {
        "video": {"numResults": len(videos), "total": len(videos), "pages": 1},
        "bili_user": {"numResults": 0, "total": 0, "pages": 0},
    }
    data["top_tlist"] = {"video": len(videos), "bili_user": 0, "media_bangumi": 0}
    groups = ["activity", "web_game", "card", "media_bangumi", "media_ft"]
    groups += ["bili_user", "user", "star", "video"]
    data["show_module_list"] = groups
    data["result"] = [
        {"result_type": name, "data": videos if name == "video" else []}
        for name in groups
    ]
    return data


def pages_data(upload: Upload, base: str) -> list[Json]:
    """Return the `pages` list of the view and pagelist APIs."""
    return [
        {
            "cid": part.cid,
            "page": number,
            "from": "vupload",
            "part": part.title,
            "duration": part.duration,
            "vid": "",
            "weblink": "",
            "dimension": {"width": 1920, "height": 1080, "rotate": 0},
            "first_frame": f"{base}/cover/{upload.bvid}.jpg",
        }
        for number, part in enumerate(upload.parts, start=1)
    ]


def view_data(upload: Upload, base: str) -> Json:
    """Return the `data` of the view API for `upload`."""
    return {
        "bvid": upload.bvid,
        "aid": upload.aid,
        "videos": len(upload.parts),
        "tid": upload.typeid,
        "tname": upload.typename,
        "copyright": 1,
        "pic": f"{base}/cover/{upload.bvid}.jpg",
        "title": upload.title,
        "pubdate": upload.pubdate,
        "ctime": upload.pubdate - 600,
        "desc": upload.description,
        "duration": upload.duration,
        "owner": {"mid": upload.mid, "name": upload.author, "face": ""},
        "stat": {
            "aid": upload.aid,
            "view": upload.play,
            "danmaku": upload.play // 180,
            "reply": upload.play // 900,
            "favorite": upload.play // 40,
            "coin": upload.play // 60,
            "share": upload.play // 300,
            "like": upload.play // 25,
        },
        "cid": upload.parts[0].cid,
        "pages": pages_data(upload, base),
        "is_upower_exclusive": upload.is_charge,
        "rights": {"download": 1, "no_reprint": 1, "is_cooperation": 0},
        "dimension": {"width": 1920, "height": 1080, "rotate": 0},
    }
