from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody

from zhucan.access import Role
from zhucan.http.guards import requires, signed_in
from zhucan.http.idempotency import IDEMPOTENCY_RESPONSES, IdempotencyKey, once
from zhucan.money import service
from zhucan.money.schemas import BalanceOut, LedgerReport, TopupIn, TopupOut
from zhucan.params import DbId
from zhucan.people import service as people


class ElderMoneyController(Controller):
    path = "/elders/{elder_id:int}"
    tags = ["money"]

    @get("/balance", operation_id="getElderBalance", summary="爱心卡余额与敬老分")
    async def balance(self, request: Request, elder_id: DbId) -> BalanceOut:
        await people.ensure_can_view(signed_in(request), elder_id)
        return await service.balance(elder_id)

    @post(
        "/card/topups",
        guards=[requires(Role.ADMIN)],
        operation_id="topupCard",
        summary="爱心卡充值（需 Idempotency-Key）",
        status_code=201,
        responses=IDEMPOTENCY_RESPONSES,
    )
    async def topup(
        self,
        request: Request,
        elder_id: DbId,
        data: JSONBody[TopupIn],
        idempotency_key: IdempotencyKey,
    ) -> Response[TopupOut]:
        staff = signed_in(request)

        async def effects():
            return 201, await service.topup(elder_id, data, staff.username)

        return await once(
            request,
            idempotency_key,
            f"POST /elders/{elder_id}/card/topups",
            staff.username,
            data.model_dump(mode="json"),
            effects,
        )


class LedgerController(Controller):
    path = "/ledger"
    tags = ["money"]

    @get(
        "/verify",
        guards=[requires(Role.ADMIN)],
        operation_id="verifyLedger",
        summary="核对总账：每笔转账借贷平衡、余额与分录一致、无负余额",
    )
    async def verify(self) -> LedgerReport:
        return await service.verify()


ROUTES = [ElderMoneyController, LedgerController]
