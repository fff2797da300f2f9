"""In-memory fakes of the sharing capability's ports: domain tests run in milliseconds."""

from __future__ import annotations

import uuid
from typing import Generic, Protocol, TypeVar

from crisislink.domains.sharing.contacts import ContactPoint
from crisislink.domains.sharing.model import ApiToken, Node, Partner, User
from crisislink.kernel.errors import NotFound


class _HasId(Protocol):
    id: uuid.UUID


T = TypeVar("T", bound=_HasId)


class FakeRepository(Generic[T]):
    def __init__(self) -> None:
        self.items: dict[uuid.UUID, T] = {}

    def add(self, item: T) -> None:
        self.items[item.id] = item

    def get(self, item_id: uuid.UUID) -> T:
        try:
            return self.items[item_id]
        except KeyError:
            raise NotFound(f"no record {item_id}") from None

    def require(self, item_id: uuid.UUID) -> None:
        self.get(item_id)

    def remove(self, item: T) -> None:
        del self.items[item.id]


class FakeNodes(FakeRepository[Node]):
    def by_code(self, code: str) -> Node | None:
        return next((n for n in self.items.values() if n.code == code), None)


class FakePartners(FakeRepository[Partner]):
    def by_code(self, code: str) -> Partner | None:
        return next((p for p in self.items.values() if p.code == code), None)


class FakeUsers(FakeRepository[User]):
    def by_username(self, username: str) -> User | None:
        return next((u for u in self.items.values() if u.username == username), None)


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.nodes = FakeNodes()
        self.partners = FakePartners()
        self.users = FakeUsers()
        self.tokens: FakeRepository[ApiToken] = FakeRepository()
        self.contact_points: FakeRepository[ContactPoint] = FakeRepository()
        self.node_id = uuid.UUID(int=42)
        self.commits = 0

    def commit(self) -> None:
        self.commits += 1


class PlainHasher:
    """Reversible 'hash' for tests only: the real one is Argon2id."""

    def hash(self, password: str) -> str:
        return "plain$" + password

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == "plain$" + password

    def needs_rehash(self, password_hash: str) -> bool:
        return False
