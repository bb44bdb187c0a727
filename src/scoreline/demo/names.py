"""First names, last names and cities by country, combined deterministically into people."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

__all__ = ["CITIES", "NAMES", "CountryNames", "email_local_part", "surname_for"]


@dataclass(frozen=True)
class CountryNames:
    female: tuple[str, ...]
    male: tuple[str, ...]
    last: tuple[str, ...]


def _split(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


NAMES: dict[str, CountryNames] = {
    "GB": CountryNames(
        female=_split(
            "Olivia, Amelia, Isla, Ava, Emily, Sophie, Grace, Mia, Poppy, Ella, Lily, Evie, "
            "Charlotte, Jessica, Hannah, Lucy, Chloe, Eleanor, Harriet, Florence, Alice, Ruby, "
            "Freya, Imogen, Phoebe, Rachel, Sarah, Laura, Rebecca, Katherine, Helen, Fiona, "
            "Niamh, Priya, Aisha, Zara, Megan, Abigail, Victoria, Joanna"
        ),
        male=_split(
            "Oliver, George, Harry, Jack, Jacob, Noah, Charlie, Thomas, Oscar, William, James, "
            "Henry, Alfie, Leo, Joshua, Freddie, Archie, Ethan, Samuel, Daniel, Benjamin, "
            "Alexander, Edward, Matthew, Joseph, Callum, Lewis, Rhys, Owen, Connor, Liam, Adam, "
            "Arjun, Imran, Hamza, Patrick, Richard, Simon, Andrew, Michael"
        ),
        last=_split(
            "Smith, Jones, Taylor, Brown, Williams, Wilson, Johnson, Davies, Robinson, Wright, "
            "Thompson, Evans, Walker, White, Roberts, Green, Hall, Wood, Jackson, Clarke, Patel, "
            "Khan, Lewis, James, Phillips, Mason, Mitchell, Rose, Davis, Rodriguez, Cox, "
            "Alexander, Morgan, Moore, Hughes, Edwards, Turner, Baker, Harris, Martin, Cooper, "
            "Hill, Ward, Morris, King, Watson, Harrison, Bennett, Gray, Fletcher, Shaw, Holmes, "
            "Chapman, Ellis, Murray, Knight, Barker, Palmer, Lloyd, Marshall, Ahmed, Begum, "
            "Campbell, Stewart, MacDonald, O'Brien, Kelly, Reid, Sutherland, Fraser"
        ),
    ),
    "DE": CountryNames(
        female=_split(
            "Anna, Lena, Lea, Hannah, Sophie, Marie, Laura, Julia, Katharina, Sarah, Lisa, Leonie, "
            "Johanna, Clara, Emma, Mia, Lara, Nina, Franziska, Sabine, Petra, Claudia, Birgit, "
            "Susanne, Andrea, Stefanie, Melanie, Jana, Carolin, Theresa, Vanessa, Annika, "
            "Friederike, Jule, Greta, Ida, Paula, Elif, Ayşe, Natalia"
        ),
        male=_split(
            "Lukas, Leon, Finn, Jonas, Paul, Felix, Maximilian, Elias, Noah, Ben, Tim, Jan, "
            "Niklas, Moritz, Tobias, Sebastian, Florian, Alexander, Philipp, Daniel, Michael, "
            "Thomas, Andreas, Stefan, Markus, Matthias, Christian, Frank, Jürgen, Uwe, Dirk, "
            "Johannes, Simon, Fabian, Julian, Konstantin, Emre, Mehmet, Jakob, Henrik"
        ),
        last=_split(
            "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, "
            "Schäfer, Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, "
            "Braun, Krüger, Hofmann, Hartmann, Lange, Schmitt, Werner, Schmitz, Krause, Meier, "
            "Lehmann, Schmid, Schulze, Maier, Köhler, Herrmann, König, Walter, Mayer, Huber, "
            "Kaiser, Fuchs, Peters, Lang, Scholz, Möller, Weiß, Jung, Hahn, Schubert, Vogel, "
            "Friedrich, Keller, Günther, Frank, Berger, Winkler, Roth, Beck, Lorenz, Baumann, "
            "Franke, Albrecht, Y\u0131lmaz, Kaya, Nowak"
        ),
    ),
    "US": CountryNames(
        female=_split(
            "Emma, Olivia, Ava, Sophia, Isabella, Mia, Charlotte, Amelia, Harper, Evelyn, "
            "Abigail, Emily, Elizabeth, Sofia, Madison, Avery, Ella, Scarlett, Grace, Chloe, "
            "Victoria, Riley, Aria, Lily, Zoey, Hannah, Layla, Nora, Camila, Jennifer, Jessica, "
            "Ashley, Sarah, Michelle, Maria, Guadalupe, Keisha, Aaliyah, Mei, Ananya"
        ),
        male=_split(
            "Liam, Noah, William, James, Oliver, Benjamin, Elijah, Lucas, Mason, Logan, Alexander, "
            "Ethan, Jacob, Michael, Daniel, Henry, Jackson, Sebastian, Aiden, Matthew, Samuel, "
            "David, Joseph, Carter, Owen, Wyatt, John, Jack, Luke, Jayden, Dylan, Grayson, "
            "Robert, Christopher, Kevin, Brian, Jose, Carlos, DeShawn, Rahul"
        ),
        last=_split(
            "Smith, Johnson, Williams, Brown, Jones, Garcia, Miller, Davis, Rodriguez, Martinez, "
            "Hernandez, Lopez, Gonzalez, Wilson, Anderson, Thomas, Taylor, Moore, Jackson, Martin, "
            "Lee, Perez, Thompson, White, Harris, Sanchez, Clark, Ramirez, Lewis, Robinson, "
            "Walker, Young, Allen, King, Wright, Scott, Torres, Nguyen, Hill, Flores, Green, "
            "Adams, Nelson, Baker, Hall, Rivera, Campbell, Mitchell, Carter, Roberts, Kim, Chen, "
            "Patel, Shah, Cohen, O'Connor, Murphy, Sullivan, Washington, Brooks, Reyes, Cruz"
        ),
    ),
    "SG": CountryNames(
        female=_split(
            "Wei Ling, Hui Min, Xin Yi, Jia Hui, Mei Ling, Shu Fen, Li Ting, Siew Lan, Pei Shan, "
            "Yun Xi, Siti, Nurul, Aisyah, Farah, Nur Aini, Priya, Kavitha, Lakshmi, Divya, "
            "Deepa, Rachel, Michelle, Vanessa, Cheryl, Grace, Joanne, Esther, Sharon, Jasmine, "
            "Charlene"
        ),
        male=_split(
            "Wei Jie, Jun Hao, Zhi Wei, Jia Wei, Kai Xiang, Wen Jie, Yong Sheng, Chee Keong, "
            "Boon Huat, Eng Soon, Muhammad, Ahmad, Hafiz, Iskandar, Faizal, Rajesh, Arjun, "
            "Suresh, Vikram, Ganesh, Daniel, Marcus, Jonathan, Benjamin, Nicholas, Bryan, "
            "Desmond, Kelvin, Darren, Ryan"
        ),
        last=_split(
            "Tan, Lim, Lee, Ng, Wong, Goh, Chua, Chan, Koh, Teo, Ong, Ho, Yeo, Sim, Chong, Low, "
            "Toh, Seah, Loh, Kwek, Foo, Chia, Heng, Quek, Ang, Kumar, Nair, Pillai, Menon, "
            "Raj, Singh, Rahman, Ismail, Hassan, Abdullah, Osman, Yusof, Fernandez, Pereira, "
            "De Souza"
        ),
    ),
    "PL": CountryNames(
        female=_split(
            "Anna, Maria, Katarzyna, Małgorzata, Agnieszka, Barbara, Ewa, Krystyna, Magdalena, "
            "Joanna, Aleksandra, Monika, Zofia, Natalia, Karolina, Julia, Marta, Paulina, "
            "Weronika, Dominika, Justyna, Alicja, Oliwia, Zuzanna, Wiktoria, Hanna, Iwona, "
            "Beata, Dorota, Kinga"
        ),
        male=_split(
            "Piotr, Krzysztof, Andrzej, Tomasz, Paweł, Jan, Michał, Marcin, Jakub, Adam, Łukasz, "
            "Grzegorz, Mateusz, Wojciech, Mariusz, Dariusz, Maciej, Kamil, Rafał, Robert, "
            "Szymon, Bartosz, Filip, Kacper, Antoni, Wiktor, Sebastian, Damian, Patryk, Dawid"
        ),
        last=_split(
            "Nowak, Kowalski, Wiśniewski, Wójcik, Kowalczyk, Kamiński, Lewandowski, Zieliński, "
            "Szymański, Woźniak, Dąbrowski, Kozłowski, Jankowski, Mazur, Kwiatkowski, Krawczyk, "
            "Piotrowski, Grabowski, Nowakowski, Pawłowski, Michalski, Nowicki, Adamczyk, Dudek, "
            "Zając, Wieczorek, Jabłoński, Król, Majewski, Olszewski, Jaworski, Wróbel, Malinowski, "
            "Pawlak, Witkowski, Walczak, Stępień, Górski, Rutkowski, Michalak"
        ),
    ),
    "NL": CountryNames(
        female=_split(
            "Emma, Julia, Sophie, Anna, Tess, Sanne, Lotte, Fleur, Eva, Lisa, Femke, Iris, Noor, "
            "Lieke, Marloes, Anouk, Ilse, Esther, Inge, Mirjam, Saskia, Marieke, Yara, Fatima, "
            "Nadia, Sara, Evi, Roos, Maud, Jasmijn"
        ),
        male=_split(
            "Daan, Sem, Lucas, Levi, Finn, Bram, Thijs, Ruben, Jesse, Lars, Niels, Joost, Pieter, "
            "Jeroen, Martijn, Sander, Bas, Wouter, Rick, Tim, Stijn, Koen, Maarten, Jan, Hendrik, "
            "Mohammed, Youssef, Ahmed, Milan, Gijs"
        ),
        last=_split(
            "de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit, "
            "Meijer, de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker, "
            "Brouwer, de Wit, Dijkstra, Smits, de Graaf, van der Meer, van der Linden, Kok, "
            "Jacobs, de Haan, Vermeulen, van den Heuvel, van der Veen, van den Broek, de Bruijn, "
            "de Bruin, van der Heijden, Schouten, van Beek, Willems, van Vliet"
        ),
    ),
}

CITIES: dict[str, tuple[str, ...]] = {
    "GB": ("London", "Manchester", "Birmingham", "Edinburgh", "Bristol", "Leeds"),
    "DE": ("Munich", "Berlin", "Hamburg", "Frankfurt am Main", "Stuttgart", "Düsseldorf"),
    "US": ("New York", "Chicago", "Austin", "San Francisco", "Atlanta", "Boston"),
    "SG": ("Singapore",),
    "PL": ("Kraków", "Warsaw", "Wrocław"),
    "NL": ("Rotterdam", "Amsterdam", "Eindhoven"),
}


def surname_for(country: str, last_name: str, female: bool) -> str:
    """Polish adjectival surnames agree with the person: Kowalski, Kowalska."""
    if country == "PL" and female and last_name.endswith(("ski", "cki", "dzki")):
        return last_name[:-1] + "a"
    return last_name


def email_local_part(first_name: str, last_name: str) -> str:
    """``Zoë O'Brien`` becomes ``zoe.obrien``: ASCII letters and one dot between the names."""

    def fold(text: str) -> str:
        text = text.replace("ł", "l").replace("Ł", "L").replace("ß", "ss").replace("\u0131", "i")
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return "".join(char for char in ascii_text.lower() if char.isalnum())

    return f"{fold(first_name)}.{fold(last_name)}"
