from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx
from meetbit._json import decode_json

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.cancel_event_body import CancelEventBody
from ...models.cancel_event_response_200 import CancelEventResponse200
from ...types import Response


def _get_kwargs(
    calendar_id: int,
    event_id: int,
    *,
    body: CancelEventBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/calendars/{calendar_id}/events/{event_id}/cancel".format(
            calendar_id=quote(str(calendar_id), safe=""),
            event_id=quote(str(event_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CancelEventResponse200 | str | None:
    if response.status_code == 200:
        response_200 = CancelEventResponse200.from_dict(decode_json(response))

        return response_200

    if response.status_code == 401:

        def _parse_response_401(data: object) -> str:
            return cast(str, data)

        response_401 = _parse_response_401(response.text)

        return response_401

    if response.status_code == 404:
        response_404 = response.text
        return response_404

    if response.status_code == 422:
        response_422 = response.text
        return response_422

    if response.status_code == 429:
        response_429 = response.text
        return response_429

    if response.status_code == 500:
        response_500 = response.text
        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CancelEventResponse200 | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    calendar_id: int,
    event_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: CancelEventBody,
) -> Response[CancelEventResponse200 | str]:
    """Cancel Event

     Required permissions: `events.delete.*`

    Args:
        calendar_id (int):
        event_id (int):
        body (CancelEventBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CancelEventResponse200 | str]
    """

    kwargs = _get_kwargs(
        calendar_id=calendar_id,
        event_id=event_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    calendar_id: int,
    event_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: CancelEventBody,
) -> CancelEventResponse200 | str | None:
    """Cancel Event

     Required permissions: `events.delete.*`

    Args:
        calendar_id (int):
        event_id (int):
        body (CancelEventBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CancelEventResponse200 | str
    """

    return sync_detailed(
        calendar_id=calendar_id,
        event_id=event_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    calendar_id: int,
    event_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: CancelEventBody,
) -> Response[CancelEventResponse200 | str]:
    """Cancel Event

     Required permissions: `events.delete.*`

    Args:
        calendar_id (int):
        event_id (int):
        body (CancelEventBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CancelEventResponse200 | str]
    """

    kwargs = _get_kwargs(
        calendar_id=calendar_id,
        event_id=event_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    calendar_id: int,
    event_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: CancelEventBody,
) -> CancelEventResponse200 | str | None:
    """Cancel Event

     Required permissions: `events.delete.*`

    Args:
        calendar_id (int):
        event_id (int):
        body (CancelEventBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CancelEventResponse200 | str
    """

    return (
        await asyncio_detailed(
            calendar_id=calendar_id,
            event_id=event_id,
            client=client,
            body=body,
        )
    ).parsed
