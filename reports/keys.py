"""Run keys in OrderlyWeb's ``adjective_animal`` form, and version ids ``YYYYMMDD-HHMMSS-<8 hex>``."""

import secrets
from datetime import datetime

ADJECTIVES = (
    "agile amber ancient antique arctic azure bold brave breezy bright brisk calm candid careful cheerful "
    "clever cosmic crisp curious daring dashing eager early earnest electric elegant fearless festive fluffy "
    "frosty gentle gleaming golden graceful grand happy hardy hazy helpful honest humble jolly keen kind "
    "lively lucky lunar mellow merry mighty misty modest nimble noble patient peaceful plucky polite proud "
    "quick quiet radiant rapid rosy rustic serene sharp shiny silent silver smooth snowy solar spry steady "
    "sturdy sunny swift tidy tranquil trusty velvet vivid warm wild wise witty zesty"
).split()
ANIMALS = (
    "aardvark albatross alpaca anteater antelope armadillo badger barracuda bassethound beaver bison bobcat "
    "buffalo camel capybara caribou cheetah chinchilla cormorant coyote crane dingo dolphin dormouse eagle "
    "echidna egret elephant elk falcon ferret finch flamingo gazelle gecko gibbon giraffe gorilla grouse "
    "hamster hedgehog heron hippo ibex iguana impala jackal jaguar kangaroo kestrel kingfisher koala lemur "
    "leopard llama lynx magpie manatee marmot meerkat mongoose moose narwhal ocelot okapi orca osprey otter "
    "owl panda pangolin panther pelican penguin peregrinefalcon puffin quail quokka rabbit raccoon reindeer "
    "salamander seal sparrow squirrel stork swan tapir tiger toucan turtle walrus weasel wombat yak zebra"
).split()


def run_key() -> str:
    return f"{secrets.choice(ADJECTIVES)}_{secrets.choice(ANIMALS)}"


def version_id(when: datetime) -> str:
    return f"{when:%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"
